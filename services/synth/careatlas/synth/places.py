"""Practice location and mailing addresses: real ZIP/city/state triples, 5- or 9-digit
postal codes as text, a few foreign and military (APO/FPO) addresses."""

from __future__ import annotations

import numpy as np
import polars as pl

from careatlas.synth.context import Batch, Columns
from careatlas.synth.draw import choose, nulls_where, take
from careatlas.synth.people import phone_numbers

FOREIGN_SHARE = 0.003
MILITARY_SHARE = 0.001


def _fields(kind: str) -> list[str]:
    return [
        f"Provider First Line Business {kind} Address",
        f"Provider Second Line Business {kind} Address",
        f"Provider Business {kind} Address City Name",
        f"Provider Business {kind} Address State Name",
        f"Provider Business {kind} Address Postal Code",
        f"Provider Business {kind} Address Country Code (If outside U.S.)",
        f"Provider Business {kind} Address Telephone Number",
        f"Provider Business {kind} Address Fax Number",
    ]


PRACTICE = _fields("Practice Location")
MAILING = _fields("Mailing")


def street_lines(batch: Batch) -> tuple[pl.Series, pl.Series]:
    draw = batch.draw
    number = pl.Series(draw.integers(1, 20000)).cast(pl.String)
    direction = batch.word("direction", draw.flag(0.2)).fill_null("")
    first = number + " " + direction + batch.word("street") + " " + batch.word("street_type")
    suite = pl.Series(draw.integers(1, 1000)).cast(pl.String)
    return first, batch.word("second_line", draw.flag(0.38)) + suite


def _locality(batch: Batch) -> list[pl.Series]:
    """City, state, postal code and country for every row (US unless foreign)."""
    draw, vocab = batch.draw, batch.vocab
    home = draw.index(vocab.places.zip5) if batch.home is None else batch.home
    base = vocab.places.zip5.values.gather(home)
    postal = choose(draw.flag(0.86), base + draw.digits(4), base)
    city, state = vocab.places.city.gather(home), vocab.places.state.gather(home)
    military = draw.flag(MILITARY_SHARE)
    camp = draw.index(vocab.military.zip5)
    city = choose(military, vocab.military.city.gather(camp), city)
    state = choose(military, vocab.military.state.gather(camp), state)
    postal = choose(military, vocab.military.zip5.values.gather(camp) + draw.digits(4), postal)
    return _abroad(batch, [city, state, postal, pl.repeat("US", batch.n, eager=True)])


def _abroad(batch: Batch, local: list[pl.Series]) -> list[pl.Series]:
    foreign = batch.vocab.foreign
    where = batch.draw.flag(FOREIGN_SHARE)
    pick = batch.draw.integers(0, foreign.height)
    city, state, postal, country = local
    province = take(foreign["province"], pick)
    return [
        choose(where, take(foreign["city"], pick), city),
        choose(where, nulls_where(province, (province != "").to_numpy()), state),
        choose(where, take(foreign["postal"], pick), postal),
        choose(where, take(foreign["country"], pick), country),
    ]


def address_columns(batch: Batch) -> Columns:
    draw = batch.draw
    line1, line2 = street_lines(batch)
    city, state, postal, country = _locality(batch)
    phone = phone_numbers(batch, np.ones(batch.n, dtype=bool))
    fax = nulls_where(phone.str.slice(0, 6) + draw.digits(4), draw.flag(0.86))
    practice = [line1, line2, city, state, postal, country, phone, fax]
    same = draw.flag(0.55)  # many providers get mail where they practise
    po_box = draw.flag(0.45)
    box = "PO BOX " + pl.Series(draw.integers(1, 30000)).cast(pl.String)
    mail1 = choose(po_box, box, street_lines(batch)[0])
    mailing = [
        choose(same, line1, mail1),
        choose(same, line2, nulls_where(line2, ~po_box)),
        city, state,
        choose(same, postal, postal.str.slice(0, 5) + draw.digits(4)),
        country,
        nulls_where(phone, same | draw.flag(0.9)),
        nulls_where(fax, same | draw.flag(0.8)),
    ]
    mailing[4] = choose((country == "US").to_numpy(), mailing[4], postal)
    return dict(zip(PRACTICE, practice, strict=True)) | dict(zip(MAILING, mailing, strict=True))

