import { _t } from "@web/core/l10n/translation";
import { user } from "@web/core/user";
import { useService } from "@web/core/utils/hooks";
import { Component, onWillStart, onWillUnmount, useState } from "@odoo/owl";

const WATCH_INTERVAL = 3000; // ms between status checks while a queued run is under way
const WATCH_LIMIT = 20; // checks before giving up watching (the run goes on regardless)
// What the server sends the user's open pages when a run changed their calendar in Odoo.
const CALENDAR_CHANGED = "google_calendar_sync/calendar_changed";

/**
 * The Google button of the Calendar app. Not connected: it sends the user to Google's consent
 * page. Connected: it queues a synchronization (the request never waits on Google), says the
 * state in words, and reloads the calendar when the run is over, or when any run (Google's
 * notification, the cron) brought changes: the open calendar shows them without a reload.
 */
export class GoogleCalendarButton extends Component {
    static template = "google_calendar_sync.GoogleCalendarButton";
    static props = { model: Object };

    setup() {
        this.orm = useService("orm");
        this.notification = useService("notification");
        this.action = useService("action");
        this.busService = useService("bus_service");
        this.state = useState({ status: null, busy: false });
        this.timer = null;
        const onCalendarChanged = () => this.reload();
        this.busService.subscribe(CALENDAR_CHANGED, onCalendarChanged);
        onWillUnmount(() => this.busService.unsubscribe(CALENDAR_CHANGED, onCalendarChanged));
        onWillStart(async () => {
            await this.refresh();
            if (this.busySyncing) {
                this.watch(0); // a run queued elsewhere (the first one after connecting): show its end
            }
        });
        onWillUnmount(() => clearTimeout(this.timer));
    }

    async refresh() {
        this.state.status = await this.orm.call("google.calendar.sync", "get_google_status", []);
    }

    async reload() {
        await this.refresh();
        await this.props.model.load();
    }

    get busySyncing() {
        const status = this.state.status;
        return Boolean(status && (status.queued || ["running", "waiting"].includes(status.state)));
    }

    get connected() {
        return !["not_connected", "needs_reconnect"].includes(this.state.status?.state);
    }

    get label() {
        const status = this.state.status;
        let detail = status?.label;
        if (status?.state === "needs_reconnect") {
            detail = _t("Needs reconnection");
        } else if (!status || !this.connected) {
            return _t("Google");
        } else if (status.queued && status.state !== "running") {
            detail = _t("Queued");
        }
        return _t("Google: %s", detail);
    }

    get paused() {
        return this.state.status?.state === "paused";
    }

    get title() {
        const status = this.state.status || {};
        if (status.state === "needs_reconnect") {
            return status.last_error || _t("Reconnect Google Calendar");
        }
        if (!this.connected) {
            return _t("Synchronize with Google Calendar");
        }
        // The problem and what to do first; the last run's result after it.
        return [status.advice, status.email, status.last_summary].filter(Boolean).join("\n");
    }

    get iconClass() {
        const state = this.state.status?.state;
        if (this.state.status?.queued && state !== "running") {
            return "fa-clock-o";
        }
        return {
            synced: "fa-check text-success",
            running: "fa-refresh fa-spin",
            waiting: "fa-clock-o",
            paused: "fa-pause text-warning",
            paused_by_admin: "fa-pause text-warning",
            needs_reconnect: "fa-exclamation-triangle text-danger",
            error: "fa-exclamation-triangle text-danger",
        }[state] || "fa-google";
    }

    async onClick() {
        if (this.state.busy) {
            return;
        }
        this.state.busy = true;
        try {
            if (!this.connected) {
                await this.connect();
            } else if (this.paused) {
                await this.resume();
            } else {
                const status = await this.orm.call("google.calendar.sync", "google_sync_now", []);
                this.state.status = status;
                if (status.advice) {
                    // A problem, or a pause: say it and what to do rather than "queued".
                    this.notification.add(status.advice, { type: "warning", title: status.label });
                } else {
                    this.notification.add(_t("Synchronization with Google Calendar queued."), { type: "info" });
                }
                if (status.queued) {
                    this.watch(0);
                }
            }
        } finally {
            this.state.busy = false;
        }
    }

    async resume() {
        this.state.status = await this.orm.call("google.calendar.sync", "google_resume", []);
        this.notification.add(_t("Google Calendar synchronization resumed."), { type: "success" });
        this.watch(0);
    }

    async onResume() {
        if (this.state.busy) {
            return;
        }
        this.state.busy = true;
        try {
            await this.resume();
        } finally {
            this.state.busy = false;
        }
    }

    async openLog() {
        const action = await this.orm.call("res.users", "action_google_calendar_log", [[user.userId]]);
        await this.action.doAction(action);
    }

    async connect() {
        if (!this.state.status.configured) {
            if (this.state.status.is_admin) {
                await this.action.doAction("base_setup.action_general_configuration");
            } else {
                this.notification.add(
                    _t("Google Calendar is not set up yet: ask an administrator to enter the Client ID and Client Secret in Settings."),
                    { type: "warning" }
                );
            }
            return;
        }
        const url = await this.orm.call("google.calendar.sync", "google_connect_url", [window.location.href]);
        window.location.assign(url);
    }

    watch(round) {
        clearTimeout(this.timer);
        this.timer = setTimeout(async () => {
            await this.refresh();
            if (this.busySyncing) {
                if (round + 1 < WATCH_LIMIT) {
                    this.watch(round + 1);
                }
            } else {
                await this.props.model.load();
            }
        }, WATCH_INTERVAL);
    }
}
