"""`minyi privacy erase-contacts` and `minyi privacy purge`."""

from __future__ import annotations

import argparse
import datetime as dt
import os

from sqlalchemy.ext.asyncio import AsyncSession

from survey_app.commands import Verbs, with_database
from survey_app.errors import ConfigurationError
from survey_app.privacy import services
from survey_app.settings import Settings

RETENTION_ENV = "MINYI_RETENTION_DAYS"


def register(verbs: Verbs) -> None:
    privacy = verbs.add_parser("privacy", help="erase contacts, purge expired records")
    actions = privacy.add_subparsers(dest="action", required=True, metavar="ACTION")
    erase = actions.add_parser("erase-contacts", help="erase invitation contacts after fieldwork")
    erase.add_argument("survey", help="survey slug")
    erase.set_defaults(run=_erase)
    purge = actions.add_parser(
        "purge",
        help="delete original records past the retention period",
        description="Delete the responses (with their review history, revisions, conflicts and "
        "weights) and the web questionnaires, finished or abandoned, of closed waves whose "
        "fieldwork ended more than the retention period ago. Fieldwork ends on the later of "
        "the wave's closing date and the day of its last response or saved web questionnaire; "
        "a wave closed without a closing date ends with its last record.",
    )
    purge.add_argument(
        "--retention-days",
        type=int,
        default=None,
        help=f"days to keep records after a wave's fieldwork ended (default {RETENTION_ENV} or "
        f"{services.MINIMUM_RETENTION_DAYS}; never less)",
    )
    purge.set_defaults(run=_purge)


def _erase(settings: Settings, args: argparse.Namespace) -> int:
    async def work(db: AsyncSession) -> int:
        erased = await services.erase_contacts(db, args.survey)
        print(f"erased {erased.contacts} contacts of {erased.waves} closed waves of {args.survey}")
        return 0

    return with_database(settings, work)


def _purge(settings: Settings, args: argparse.Namespace) -> int:
    days = args.retention_days
    if days is None:
        text = os.environ.get(RETENTION_ENV, str(services.MINIMUM_RETENTION_DAYS))
        if not text.isdigit():
            raise ConfigurationError(f"{RETENTION_ENV} must be a number of days, got {text!r}")
        days = int(text)

    async def work(db: AsyncSession) -> int:
        purged = await services.purge_expired(db, retention_days=days, today=dt.date.today())
        print(
            f"purged {purged.responses} responses and {purged.partial_responses} web "
            f"questionnaires of {purged.waves} waves ended > {days} days ago"
        )
        return 0

    return with_database(settings, work)
