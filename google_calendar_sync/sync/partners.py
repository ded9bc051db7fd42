"""Google's guests and organizers as Odoo's partners and users.

Users' partners come first, then existing contacts (the oldest first); an unknown address
becomes a contact, created once for a whole page of events.
"""

from . import mapping


class Partners:
    def __init__(self, env, user, own):
        """``own``: (partner id, Google address) of the user whose calendar it is."""
        self.env = env
        self.user = user
        self.own = own

    def guests(self, events):
        """The guests of ``events`` as a ``mapping.Guests``."""
        emails = {a.email.lower() for event in events for a in event.attendees}
        partners = {self.own[1]: self.own[0]} if self.own[1] else {}
        emails -= set(partners)
        if not emails:
            return mapping.Guests(partners, self.own[0])
        Partner = self.env["res.partner"]
        for partner in Partner.search([("email_normalized", "in", list(emails))], order="id"):
            current = partners.get(partner.email_normalized)
            if current is None or (partner.user_ids and not Partner.browse(current).user_ids):
                partners[partner.email_normalized] = partner.id
        missing = sorted(emails - set(partners))
        names = {a.email.lower(): a.name for event in events for a in event.attendees}
        created = Partner.create([{"name": names.get(email) or email, "email": email} for email in missing])
        partners.update(zip(missing, created.ids))
        return mapping.Guests(partners, self.own[0])

    def organizer(self, event):
        """The Odoo user organizing ``event`` (the syncing user for their own), or False."""
        if event.organizer is None or event.organizer.is_self or event.organizer.email == self.own[1]:
            return self.user.id
        user = self.env["res.users"].search([("email_normalized", "=", event.organizer.email)], limit=1)
        return user.id or False
