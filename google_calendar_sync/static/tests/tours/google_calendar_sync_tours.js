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
