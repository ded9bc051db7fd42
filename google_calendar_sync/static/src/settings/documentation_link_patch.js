import { patch } from "@web/core/utils/patch";
import { DocumentationLink } from "@web/views/widgets/documentation_link/documentation_link";

// The page the Settings' "?" of Google Calendar opens: the module's own, on this Odoo.
const OWN_DOCUMENTATION = "/google_calendar_sync/documentation";

patch(DocumentationLink.prototype, {
    get url() {
        // Odoo reads any other path as a page of odoo.com/documentation, where ours is not.
        return this.props.path === OWN_DOCUMENTATION ? OWN_DOCUMENTATION : super.url;
    },
});
