"""Development tools around a real Odoo (18 or 19): the demo (bin/run) and what the Odoo benchmarks
share.

Not part of the distribution: the addons and gcal_engine never import this.
"""
