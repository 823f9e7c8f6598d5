"""English in general formats dates as British English does here."""

from hemi_fulfilment.formats.en_GB.formats import *  # noqa: F403
