"""Taking a register out: JSON, CSV, Excel, a print view and PDF.

Each format has one function taking the register and the live sub-risks to show
(already narrowed by the overview's filters), so pages, the API and the
`export_register` command produce the same files. Exports read stored ratings and
never derive one.

- `document`: the complete register as a register document (JSON).
- `tabular`: CSV, one row per sub-risk, streamed.
- `workbook`: the Excel workbook, which the importer reads back.
- `printing`: the print view's content and its PDF.
- `common`: what they share: the scope of an export, file names and the
  neutralising of spreadsheet formulas.
"""
