"""The pure core: pricing, the node price split, allocation and the report. No I/O, no env, no clock."""
