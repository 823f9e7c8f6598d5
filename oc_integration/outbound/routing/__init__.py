"""Automatic routing: new paid Hemi orders go to OC on their own, by each account's rules.

* :mod:`.rules`: one order against an account's rules, and the reasons in words;
* :mod:`.evaluate`: the orders routing looks at and the stock they need, in bulk, and the
  decision for each (the preview and the run share it);
* :mod:`.run`: the run (prepare and queue the routed orders, record every decision) and
  turning routing on or off.
"""
