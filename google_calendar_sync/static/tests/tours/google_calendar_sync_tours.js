import { registry } from "@web/core/registry";

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

registry.category("web_tour.tours").add("google_calendar_sync_choose_calendar", {
    steps: () => [
        {
            content: "Open the user menu",
            trigger: ".o_user_menu button",
            run: "click",
        },
        {
            content: "Open my preferences",
            trigger: "[data-menu=settings]",
            run: "click",
        },
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
        {
            content: "The dialog closes",
            trigger: "body:not(:has(.modal))",
        },
    ],
});
