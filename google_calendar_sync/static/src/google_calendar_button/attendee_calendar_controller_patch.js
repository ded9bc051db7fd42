import { AttendeeCalendarController } from "@calendar/views/attendee_calendar/attendee_calendar_controller";
import { GoogleCalendarButton } from "./google_calendar_button";

AttendeeCalendarController.components = { ...AttendeeCalendarController.components, GoogleCalendarButton };
