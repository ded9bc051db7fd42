"""Google's guests and organizers as Odoo's partners and users.

Users' partners come first, then existing contacts (the oldest first); an unknown address
becomes a contact, created once for a whole page of events.
"""

from . import mapping


class Partners:
    def __init__(self, env, user, people):
        """``people``: who is who on Google (``mapping.People``)."""
        self.env = env
        self.user = user
        self.people = people

    def guests(self, events):
        """The guests of ``events`` as a ``mapping.Guests``: the connected users by their Google
        address first."""
        people = self.people
        emails = {a.email.lower() for event in events for a in event.attendees}
        emails |= {e.organizer.email.lower() for e in events if e.organizer is not None and e.organizer.email}
        partners = {email: partner for partner, email in people.google_emails.items()}
        if people.own_email:
            partners[people.own_email] = people.own_partner
        emails -= set(partners)
        if not emails:
            return mapping.Guests(partners, people.own_partner)
        Partner = self.env["res.partner"]
        for partner in Partner.search([("email_normalized", "in", list(emails))], order="id"):
            current = partners.get(partner.email_normalized)
            if current is None or (partner.user_ids and not Partner.browse(current).user_ids):
                partners[partner.email_normalized] = partner.id
        missing = sorted(emails - set(partners))
        names = {e.organizer.email.lower(): e.organizer.name for e in events if e.organizer is not None}
        names.update({a.email.lower(): a.name for event in events for a in event.attendees if a.name})
        created = Partner.create([{"name": names.get(email) or email, "email": email} for email in missing])
        partners.update(zip(missing, created.ids))
        return mapping.Guests(partners, people.own_partner)

    def organizer(self, event):
        """The Odoo user organizing ``event`` (the syncing user for their own), or False."""
        people = self.people
        if event.organizer is None or event.organizer.is_self or event.organizer.email == people.own_email:
            return self.user.id
        email = event.organizer.email
        colleague = next((p for p, address in people.google_emails.items() if address == email), None)
        domain = [("partner_id", "=", colleague)] if colleague else [("email_normalized", "=", email)]
        return self.env["res.users"].search(domain, limit=1).id or False
