{
    "name": "Google Calendar Sync",
    "summary": "Two-way synchronization of Odoo's Calendar with Google Calendar: no duplicates, no lost edits",
    "version": "1.1.0",
    "category": "Productivity/Calendar",
    "author": "Google Calendar Sync for Odoo contributors",
    "license": "LGPL-3",
    "depends": ["google_account", "calendar"],
    "excludes": ["google_calendar"],
    "post_init_hook": "post_init_hook",
    "external_dependencies": {
        "python": ["gcal-sync-odoo", "google-auth"],
    },
    "data": [
        "security/ir.model.access.csv",
        "security/google_calendar_sync_security.xml",
        "data/ir_config_parameter_data.xml",
        "data/ir_cron_data.xml",
        "wizard/google_calendar_choose_views.xml",
        "wizard/google_calendar_reset_views.xml",
        "views/calendar_event_views.xml",
        "views/google_calendar_sync_views.xml",
        "views/google_calendar_sync_log_views.xml",
        "views/res_config_settings_views.xml",
        "views/res_users_views.xml",
        "views/documentation_templates.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "google_calendar_sync/static/src/**/*",
        ],
        "web.assets_tests": [
            "google_calendar_sync/static/tests/tours/**/*",
        ],
    },
}
