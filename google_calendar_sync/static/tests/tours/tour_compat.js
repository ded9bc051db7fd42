import { session } from "@web/session";

/**
 * What differs between the Odoo series for the tours: a step whose action reloads the page
 * must say so on Odoo 19 (the tour stops otherwise), and Odoo 18's tours refuse the key.
 */
export const reloadsPage = session.server_version_info[0] >= 19 ? { expectUnloadPage: true } : {};

/**
 * Whether a required selection field offers an empty choice, which would keep the old value:
 * Odoo 18 renders a <select> whose empty option must stay hidden, Odoo 19 a menu whose clear
 * button must not be there.
 */
export function offersEmptyChoice(field) {
    const empty = field.querySelector("select option[value='false']");
    if (empty) {
        return empty.style.display !== "none";
    }
    return field.querySelector(".o_select_menu_toggler_clear") !== null;
}
