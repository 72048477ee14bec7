"""Data from the spreadsheets a branch has: customers, contacts, holdings and staff read from CSV
or XLSX (:mod:`.reading`, :mod:`.columns`), checked row by row and written in one transaction
(:mod:`.importer`, :mod:`.bulk`, :mod:`.staff_rows`), with every bad cell named.
"""
