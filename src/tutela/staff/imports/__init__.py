"""The staff Imports area (``/staff/imports/``): upload a file of any import kind, map its
columns, preview it, confirm it, watch it run, read its results and download its rows."""
