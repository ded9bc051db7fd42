{
    "name": "Google Account",
    "summary": "Google OAuth 2.0 for Odoo: settings, signed and PKCE-protected connection, "
    "per-user tokens, revocation",
    "version": "1.1.0",
    "category": "Hidden/Tools",
    "author": "Google Calendar Sync for Odoo contributors",
    "license": "LGPL-3",
    "depends": ["base_setup"],
    "external_dependencies": {
        "python": ["gcal-sync-odoo", "google-auth"],
    },
    "data": [
        "security/ir.model.access.csv",
        "security/google_account_security.xml",
        "views/google_account_views.xml",
        "views/res_config_settings_views.xml",
        "views/res_users_views.xml",
        "views/google_account_templates.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "google_account/static/src/**/*",
        ],
        "web.assets_tests": [
            "google_account/static/tests/tours/**/*",
        ],
    },
}
