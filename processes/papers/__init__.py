"""The domain's side of its papers: what each prints (snapshots) and who signs (parties).

``documents`` takes the snapshot dict and the parties and knows no project or region."""
