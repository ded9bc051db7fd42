import { registry } from "@web/core/registry";
import { session } from "@web/session";

/**
 * Shows, once, the message the Google callback left for this session
 * ("Google Calendar connected as ..."): the callback redirects to a page that loads the web client.
 * The message stays until closed: it is shown as the web client starts, and a busy server can
 * take longer than a notification's few seconds to draw the page under it.
 */
export const googleAccountMessageService = {
    dependencies: ["notification"],
    start(env, { notification }) {
        const message = session.google_account_message;
        if (message) {
            delete session.google_account_message;
            notification.add(message, { type: "success", sticky: true });
        }
    },
};

registry.category("services").add("google_account_message", googleAccountMessageService);
