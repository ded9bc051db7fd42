import { registry } from "@web/core/registry";
import { reloadsPage } from "./tour_compat";

// The message lives 4 seconds from the web client's start: the tour is running when the page
// that shows it loads, instead of starting once that page is ready (later than 4 seconds on a
// loaded machine, and the message was gone).
registry.category("web_tour.tours").add("google_account_connected_message", {
    steps: () => [
        {
            content: "Connect a Google account from the web client (Google consents at once)",
            trigger: ".o_main_navbar",
            run() {
                window.location.assign("/google_account/connect?return_url=/odoo");
            },
            ...reloadsPage,
        },
        {
            content: "Back from Google, the web client says which Google account is connected",
            trigger: ".o_notification:contains(Google Calendar connected as tour.user@example.com)",
        },
    ],
});
