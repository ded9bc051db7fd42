import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("google_account_connected_message", {
    steps: () => [
        {
            content: "Back from Google, the web client says which Google account is connected",
            trigger: ".o_notification:contains(Google Calendar connected as tour.user@example.com)",
        },
    ],
});
