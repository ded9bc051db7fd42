import { session } from "@web/session";

/**
 * What differs between the Odoo series for the tours: a step whose action reloads the page
 * must say so on Odoo 19 (the tour stops otherwise), and Odoo 18's tours refuse the key.
 */
export const reloadsPage = session.server_version_info[0] >= 19 ? { expectUnloadPage: true } : {};
