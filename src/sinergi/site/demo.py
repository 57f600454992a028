"""Synthetic demo data. Each app may add a `demo.py` with `seed(*, actor) -> None`; they run in app order.

Everything here is synthetic and labelled as such, except the facts of the founding MoU (from the article).
"""

from __future__ import annotations

import importlib

from django.apps import apps

from sinergi.accounts.demo import DemoAccount, demo_accounts
from sinergi.accounts.models import User
from sinergi.events.services import events_dispatch


def demo_seed(*, reset_passwords: bool = False) -> list[DemoAccount]:
    """Create the demo accounts, then run every app's demo step. Idempotent."""
    accounts = demo_accounts(reset_passwords=reset_passwords)
    admin = User.objects.get(username="demo.admin")
    for config in apps.get_app_configs():
        if not config.name.startswith("sinergi.") or config.name == "sinergi.core":
            continue
        try:
            module = importlib.import_module(f"{config.name}.demo")
        except ModuleNotFoundError:
            continue
        if config.name == "sinergi.aftercare":
            # The registry releases those whose sentence has ended by now: after programs drew on them
            # (2021-2023), before aftercare hands over the participants among them.
            from sinergi.beneficiaries.demo import settle

            settle(actor=admin)
        if hasattr(module, "seed"):
            module.seed(actor=admin)
    # Later steps (the impact app's comparison group) add episodes too: nobody stays in custody past expiry.
    from sinergi.beneficiaries.demo import settle

    settle(actor=admin)
    # Let every app react to what the demo recorded (the handover at release), before anyone logs in.
    while events_dispatch():
        pass
    return accounts
