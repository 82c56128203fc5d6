"""Django's migrate, which first records accounts' 0001 as applied on a database made before
accounts took over the user model (issue 13).

Such a database has the migrations of admin, authtoken and otp_totp applied; they depend on the
app of AUTH_USER_MODEL, which is accounts now, so Django would refuse to migrate it
(InconsistentMigrationHistory: applied before its dependency accounts.0001_initial). That
migration changes no table (the models keep the tables the marketplace app made), so recording
it is all it would have done; marketplace 0010 then moves the rest of the state and the content types.
"""

from django.core.management.commands.migrate import Command as MigrateCommand
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

TAKEOVER = ("accounts", "0001_initial")


def record_takeover(connection) -> bool:
    """Record accounts.0001_initial as applied where migrations that depend on it already are and
    everything it depends on is (the marketplace's tables are there). True if it recorded it."""
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return False
    applied = recorder.applied_migrations()
    if TAKEOVER in applied:
        return False
    node = MigrationLoader(connection, ignore_no_migrations=True).graph.node_map.get(TAKEOVER)
    if node is None:
        return False
    if all(parent.key in applied for parent in node.parents) and any(child.key in applied for child in node.children):
        recorder.record_applied(*TAKEOVER)
        return True
    return False


class Command(MigrateCommand):
    help = MigrateCommand.help + " (accounts: first records its takeover of the user model on older databases)"

    def handle(self, *args, **options):
        if record_takeover(connections[options.get("database") or DEFAULT_DB_ALIAS]) and options["verbosity"] >= 1:
            self.stdout.write("Recorded accounts.0001_initial (the user model's tables, taken over from marketplace).")
        return super().handle(*args, **options)
