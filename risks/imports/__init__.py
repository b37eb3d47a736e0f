"""Bringing a register file back in: our JSON document or our Excel workbook.

An import always runs dry first. `services.import_batch_create` reads and checks
the whole file, works out what it would create, change and archive, and keeps the
file and that preview in an `ImportBatch`; nothing else is written. Only
`services.import_batch_apply`, on the user's confirmation, writes, in one
transaction, through the register's write services, with the importing user in
the history.

- `files`: size limit, file type sniffing and JSON decoding.
- `workbook` and `cells`: the Excel reader, whose errors name sheet, row and
  column.
- `locate`: placing a problem (sheet, row, column) and reading levels by label.
- `checks`: the document against the database, and a new register's preview.
- `plan`: comparing a document with the register, record by record.
- `services`: the dry run and the apply.
"""
