"""The embedded Celery broker: kombu's filesystem transport, made to survive a bad message file.

Stock kombu (5.7) hands whatever a queue file holds to `json.loads`, so one empty, truncated or
garbage file raises in the worker's consumer and the worker dies (`make run` loses it). Here a
file that is not a deliverable message is moved to `bad_folder` and logged, and the next one is
taken. Messages are also written under a hidden name and renamed into the queue, so a consumer
never reads one half-written, and claimed by a rename inside the broker folder, so two consumers
never both take one. `ewtp/celery.py` makes it the transport of `filesystem://` URLs.
"""

from __future__ import annotations

import logging
import os
import uuid
from pathlib import Path
from queue import Empty
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads
from kombu.utils.objects import cached_property

logger = logging.getLogger(__name__)


class Channel(filesystem.Channel):
    @cached_property
    def bad_folder(self) -> Path:
        return Path(self.transport_options.get("bad_folder", "bad"))

    def _put(self, queue, payload, **kwargs):
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = os.path.join(self.data_folder_out, f".{name}.part")  # a name no queue matches
        try:
            with open(partial, "wb") as f:
                f.write(str_to_bytes(dumps(payload)))
            os.rename(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc

    def _get(self, queue):
        wanted = f"{queue}.msg"
        for name in sorted(os.listdir(self.data_folder_in)):
            if name.partition(".")[2] != wanted:
                continue
            claimed = os.path.join(self.processed_folder, name)
            try:
                os.rename(os.path.join(self.data_folder_in, name), claimed)
            except FileNotFoundError:
                continue  # another consumer took it
            except OSError as exc:
                raise ChannelError(f"Cannot claim {name!r} from the queue") from exc
            try:
                with open(claimed, "rb") as f:
                    raw = f.read()
            except OSError as exc:
                raise ChannelError(f"Cannot read file {claimed!r} from queue.") from exc
            try:
                payload = loads(bytes_to_str(raw))
                self.Message(payload, channel=self)  # what delivery will build: envelope and body decode
            except (ValueError, KeyError, TypeError, AttributeError) as exc:  # not JSON, not an envelope
                self._move_aside(claimed, name, exc)
                continue
            if not self.store_processed:
                os.remove(claimed)
            return payload
        raise Empty()

    def _move_aside(self, claimed: str, name: str, exc: Exception) -> None:
        self.bad_folder.mkdir(parents=True, exist_ok=True)
        aside = self.bad_folder / name
        os.rename(claimed, aside)
        logger.error("Broker queue file %s is not a message (%s: %s); moved to %s",
                     name, type(exc).__name__, exc, aside)


class Transport(filesystem.Transport):
    Channel = Channel
