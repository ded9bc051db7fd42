"""The Python distribution: the sync engine and the Google emulator.

The two Odoo addons are packaged on their own, as Odoo addons are (see their pyproject.toml).
"""

from setuptools import setup

setup(
    name="gcal-sync-odoo",
    version="1.1.0",
    description="Two-way Google Calendar sync engine for Odoo, and a faithful Google Calendar/OAuth emulator",
    long_description=open("README.rst", encoding="utf-8").read(),
    long_description_content_type="text/x-rst",
    license="LGPL-3.0-or-later",
    packages=["gcal_engine", "gcal_emulator"],
    python_requires=">=3.10",
    install_requires=[
        "requests>=2.25.1",
        # google-auth 2.48 needs cryptography>=38; Odoo 18 and 19 pin cryptography 3.4.8 below Python 3.12.
        "google-auth>=2.20,<2.48; python_version < '3.12'",
        "google-auth>=2.20; python_version >= '3.12'",
        "python-dateutil>=2.8.1",
        "werkzeug>=2.0.2",
    ],
    classifiers=[
        "Framework :: Odoo :: 18.0",
        "Framework :: Odoo :: 19.0",
        "License :: OSI Approved :: GNU Lesser General Public License v3 or later (LGPLv3+)",
        "Programming Language :: Python :: 3.10",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
    ],
)
