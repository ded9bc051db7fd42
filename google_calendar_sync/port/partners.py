"""Google's guests and organizers as Odoo's partners and users.

An address is, in this order: a connected colleague's Google address (their partner); the
partner of an internal user with that e-mail; a partner already on the event; the oldest contact
with that e-mail. An unknown address becomes a contact, created once for a whole page of events.
Odoo's own mail addresses (its aliases, catchall and bounce addresses) never become guests or
contacts: a meeting that invites them would start a mail loop.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from gcal_engine.model import Event

from odoo import api, models

from . import record_mapping


class Partners:
    def __init__(self, env: api.Environment, user: models.BaseModel, people: record_mapping.People) -> None:
        """``people``: who is who on Google (``record_mapping.People``)."""
        self.env = env
        self.user = user
        self.people = people
        self._odoo_addresses: set[str] | None = None
        self.made = 0  # contacts created, which the run's budget counts

    def odoo_addresses(self) -> set[str]:
        """This database's own mail addresses, read once."""
        if self._odoo_addresses is None:
            aliases = self.env["mail.alias"].sudo().search([("alias_full_name", "!=", False)])
            domains = self.env["mail.alias.domain"].sudo().search([])
            addresses = aliases.mapped("alias_full_name") + domains.mapped("catchall_email") + domains.mapped(
                "bounce_email") + domains.mapped("default_from_email")
            self._odoo_addresses = {address.lower() for address in addresses if address and "@" in address}
        return self._odoo_addresses

    def guests(self, events: Sequence[Event], current: Collection[int] = ()) -> record_mapping.Guests:
        """The guests of ``events`` as a ``record_mapping.Guests``; ``current``: the partner ids already
        on the local event, which an ambiguous address keeps."""
        people = self.people
        emails = {a.email.lower() for event in events for a in event.attendees}
        emails |= {e.organizer.email.lower() for e in events if e.organizer is not None and e.organizer.email}
        emails -= self.odoo_addresses()
        partners = {email: partner for partner, email in people.google_emails.items()}
        if people.own_email:
            partners[people.own_email] = people.own_partner
        emails -= set(partners)
        if not emails:
            return record_mapping.Guests(partners, people.own_partner)
        Partner = self.env["res.partner"].with_context(active_test=False)
        ranked: dict[str, tuple[int, int]] = {}
        for partner in Partner.search([("email_normalized", "in", list(emails))], order="id"):
            rank = 0 if partner.user_ids.filtered(lambda user: not user.share) else (1 if partner.id in current else 2)
            email = partner.email_normalized
            if email not in ranked or rank < ranked[email][0]:
                ranked[email] = (rank, partner.id)  # (ids ascend: the oldest of a rank stays)
        partners.update({email: partner_id for email, (_rank, partner_id) in ranked.items()})
        missing = sorted(emails - set(partners))
        names = {e.organizer.email.lower(): e.organizer.name for e in events if e.organizer is not None}
        names.update({a.email.lower(): a.name for event in events for a in event.attendees if a.name})
        created = Partner.create([{"name": names.get(email) or email, "email": email} for email in missing])
        self.made += len(created)
        partners.update(zip(missing, created.ids))
        return record_mapping.Guests(partners, people.own_partner)

    def organizer(self, event: Event) -> int | bool:
        """The Odoo user organizing ``event`` (the syncing user for their own), or False."""
        people = self.people
        if event.organizer is None or event.organizer.is_self or event.organizer.email == people.own_email:
            return self.user.id
        email = event.organizer.email
        colleague = next((p for p, address in people.google_emails.items() if address == email), None)
        domain = [("partner_id", "=", colleague)] if colleague else [("email_normalized", "=", email),
                                                                      ("share", "=", False)]
        return self.env["res.users"].search(domain, limit=1).id or False
