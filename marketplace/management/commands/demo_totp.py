"""The code an authenticator app holding the demo staff's public key shows now (seed_demo.DEMO_TOTP_KEY):
the second factor of the demo's staff logins for someone without an authenticator app to hand. It knows
no other key, and reads nothing from the database."""

import time

from django.core.management.base import BaseCommand
from django_otp.oath import TOTP

from marketplace.management.commands.seed_demo import DEMO_TOTP_KEY


class Command(BaseCommand):
    help = "Print the current two-factor code of the demo staff logins (officer, finance, compliance, disputes, admin)."

    def handle(self, *args, **options):
        totp = TOTP(bytes.fromhex(DEMO_TOTP_KEY))  # RFC 6238's defaults, as TOTPDevice uses: 30 s, 6 digits
        now = time.time()
        totp.time = now
        seconds_left = totp.step - int(now - totp.t0) % totp.step
        self.stdout.write(f"{totp.token():06d}  (valid for {seconds_left} more seconds, then the next one)")
