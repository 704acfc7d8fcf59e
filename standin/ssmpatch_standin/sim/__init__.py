"""The simulated fleet: its nodes (``fleet``), what ``AWS-RunPatchBaseline`` does on one (``payload``),
Run Command running documents on them (``commands``) and the compliance they report (``inventory``)."""
