import { registry } from "@web/core/registry";
import { offersEmptyChoice, reloadsPage } from "./tour_compat";

registry.category("web_tour.tours").add("google_calendar_sync_connect", {
    steps: () => [
        {
            content: "Not connected yet: the Google button starts Google's consent",
            trigger: ".o_google_calendar_button:contains(Google)",
            run: "click",
        },
    ],
});

registry.category("web_tour.tours").add("google_calendar_sync_see_event", {
    steps: () => [
        {
            content: "Connected: the button says the calendar is synchronized",
            trigger: ".o_google_calendar_button:contains(Synchronized)",
        },
        {
            content: "The event made on Google is in Odoo's calendar",
            trigger: ".fc-event:contains(Planning from Google)",
        },
    ],
});

const googleCalendarPage = {
    content: "Open the page with Google Calendar: Calendar, where the preferences have one (Odoo 19)",
    trigger: ".modal .o_notebook_headers",
    run() {
        const tabs = this.anchor;
        (tabs.querySelector("a[name=calendar]") || tabs.querySelector("a[name=preferences_page]")).click();
    },
};

const openPreferences = [
    {
        content: "Open the user menu",
        trigger: ".o_user_menu button",
        run: "click",
    },
    {
        content: "Open my preferences (the menu item is settings on Odoo 18, preferences on 19)",
        trigger: "[data-menu=settings], [data-menu=preferences]",
        run: "click",
    },
    googleCalendarPage,
];

registry.category("web_tour.tours").add("google_calendar_sync_choose_calendar", {
    steps: () => [
        ...openPreferences,
        {
            content: "Change the synchronized Google calendar",
            trigger: ".modal button[name=action_google_calendar_choose]",
            run: "click",
        },
        {
            content: "Google lists my calendars; use the clinic's",
            trigger: ".modal .o_data_row:contains(Clinic) button[name=action_choose]",
            run: "click",
        },
        googleCalendarPage,
        {
            content: "Back in my preferences, which show the calendar chosen",
            trigger: ".modal div[name=google_calendar_name]:contains(Clinic)",
        },
    ],
});

registry.category("web_tour.tours").add("google_calendar_sync_preferences_toggle", {
    steps: () => [
        ...openPreferences,
        {
            content: "Untick Synchronize my calendar, and only that",
            trigger: ".modal div[name=google_calendar_sync_enabled] input:checked",
            run: "click",
        },
        {
            content: "Save (which reloads the page)",
            trigger: ".modal button[name=preference_save]",
            run: "click",
            ...reloadsPage,
        },
        {
            content: "Saved, and told what it means",
            trigger: ".o_notification:contains(synchronization is paused)",
        },
        {
            // Saving reloads the web client: the tour ends once the calendar is whole again, not
            // while its library still loads (closing the browser then fails that load).
            content: "The calendar is back",
            trigger: ".fc-col-header-cell",
        },
        {
            content: "The calendar is back, its Google button loaded (the tour ends on a settled page)",
            trigger: ".o_google_calendar_button",
        },
    ],
});

registry.category("web_tour.tours").add("google_calendar_sync_paused_click", {
    steps: () => [
        {
            content: "The Google button says I paused my synchronization",
            trigger: ".o_google_calendar_button:contains(Paused)",
        },
        {
            content: "Resume it, in one click",
            trigger: ".o_google_calendar_resume",
            run: "click",
        },
        {
            content: "Resumed, and said so",
            trigger: ".o_notification:contains(synchronization resumed)",
        },
        {
            content: "The button no longer offers to resume",
            trigger: ".o_google_calendar_button:not(:contains(Paused))",
        },
    ],
});

registry.category("web_tour.tours").add("google_calendar_sync_quota_error", {
    steps: () => [
        {
            content: "The Google button names the problem",
            trigger: ".o_google_calendar_button:contains(Daily quota used up)",
        },
        {
            content: "Click it",
            trigger: ".o_google_calendar_button",
            run: "click",
        },
        {
            content: "It says what happened and when it resumes",
            trigger: ".o_notification:contains(resumes by itself at)",
        },
    ],
});

registry.category("web_tour.tours").add("google_calendar_sync_french", {
    steps: () => [
        {
            content: "The Google button says, in French, that the calendar is synchronized",
            trigger: ".o_google_calendar_button:contains(Google : Synchronisé)",
        },
        {
            content: "Synchronize now, from the button",
            trigger: ".o_google_calendar_button",
            run: "click",
        },
        {
            content: "Queued, and said so in French (the button's own words)",
            trigger: ".o_notification:contains(Synchronisation avec Google Agenda mise en file)",
        },
        ...openPreferences,
        {
            content: "The preferences name the synchronization in French",
            trigger: ".modal .o_form_label:contains(Synchroniser mon calendrier)",
        },
        {
            content: "Synchronize now, from the preferences",
            trigger: ".modal button[name=action_google_calendar_sync_now]:contains(Synchroniser maintenant)",
            run: "click",
        },
        {
            content: "Queued, and said so in French (the server's words)",
            trigger: ".o_notification:contains(Synchronisation Google Agenda mise en file)",
        },
    ],
});

registry.category("web_tour.tours").add("google_calendar_sync_settings_documentation", {
    steps: () => [
        {
            content: "The Google Calendar setting's '?' opens this module's documentation, on this Odoo",
            trigger: "#google_calendar_setting a.o_doc_link[href='/google_calendar_sync/documentation']",
        },
    ],
});

registry.category("web_tour.tours").add("google_calendar_sync_preferences_direction", {
    steps: () => [
        ...openPreferences,
        {
            content: "The direction offers no empty choice (it would keep the old value)",
            trigger: ".modal div[name=google_calendar_direction]:has(select, .o_select_menu_toggler)",
            run() {
                if (offersEmptyChoice(this.anchor)) {
                    throw new Error("The direction offers an empty choice");
                }
            },
        },
    ],
});

registry.category("web_tour.tours").add("google_calendar_sync_reset_user_form", {
    steps: () => [
        {
            content: "The user's Calendar tab",
            trigger: ".o_notebook a[name=google_calendar]",
            run: "click",
        },
        {
            content: "It shows the calendar synchronized and the last result",
            trigger: "div[name=google_calendar_name]:contains(Clinic)",
        },
        {
            trigger: "div[name=google_calendar_last_summary]:contains(1 created)",
        },
        {
            content: "Reset the account",
            trigger: "button:contains(Reset Account)",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal button[name=action_reset]",
            run: "click",
        },
        {
            content: "The form shows the synchronization started over: the primary calendar, no result",
            trigger: ".o_form_view:not(:has(.modal)) div[name=google_calendar_name]:contains(Primary calendar)",
        },
        {
            trigger: ".o_form_view:not(:has(div[name=google_calendar_last_summary]:contains(1 created)))",
        },
    ],
});
