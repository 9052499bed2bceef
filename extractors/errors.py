"""Error and issue codes.

A document that cannot be read is still one record, with ``error = {code, message}`` and no cells
(the loader quarantines it). A document that is read, with problems, carries ``issues``.
"""

from __future__ import annotations

# ---- document-level errors (record.error.code): the document yields no cells, it is quarantined
EMPTY_FILE = "empty_file"                  # zero bytes, or only whitespace
UNSUPPORTED_FORMAT = "unsupported_format"  # not PDF/HTML/DOCX/DOC/text
CORRUPT_PDF = "corrupt_pdf"                # truncated / unparsable PDF
ENCRYPTED_PDF = "encrypted_pdf"            # needs a password
NO_TEXT_LAYER = "no_text_layer"            # scanned / image-only pages, or (cid:N) glyphs only: needs OCR
NOT_A_REPORT = "not_a_report"              # readable, but none of the report's tables is there
NO_TABLES = "no_tables"                    # an HTML/DOCX/text page that names the report but has no tables
TOO_LARGE = "too_large"                    # over the page or byte limit
DECOMPRESSION_BOMB = "decompression_bomb"  # a stream that inflates past the limit
TIMEOUT = "timeout"                        # per-document time budget exceeded
MEMORY_LIMIT = "memory_limit"              # per-document memory budget exceeded
ENCODING_ERROR = "encoding_error"          # text whose encoding cannot be determined
CORRUPT_DOCX = "corrupt_docx"              # not a valid .docx zip
LEGACY_DOC_NEEDS_LIBREOFFICE = "legacy_doc_needs_libreoffice"  # .doc without LibreOffice installed
EXTRACTOR_CRASH = "extractor_crash"        # an unexpected exception (a bug): never silent
WORKER_KILLED = "worker_killed"            # the worker was killed from outside (an operator, a supervisor)
FILE_VANISHED = "file_vanished"            # the file disappeared between listing and reading
NOT_A_REGULAR_FILE = "not_a_regular_file"  # a FIFO, device, socket or directory: refused without opening
OUTSIDE_FOLDER = "outside_folder"          # a symlink in a loaded folder that points out of it: not followed

ERRORS = (EMPTY_FILE, UNSUPPORTED_FORMAT, CORRUPT_PDF, ENCRYPTED_PDF, NO_TEXT_LAYER, NOT_A_REPORT,
          NO_TABLES, TOO_LARGE, DECOMPRESSION_BOMB, TIMEOUT, MEMORY_LIMIT, ENCODING_ERROR, CORRUPT_DOCX,
          LEGACY_DOC_NEEDS_LIBREOFFICE, EXTRACTOR_CRASH, WORKER_KILLED, FILE_VANISHED, NOT_A_REGULAR_FILE,
          OUTSIDE_FOLDER)

# Failures that say nothing about the document itself: the loader retries them on later runs (a bounded
# number of attempts) instead of keeping them quarantined for good.
TRANSIENT = (TIMEOUT, MEMORY_LIMIT, WORKER_KILLED)

# ---- issues (record.issues[].code): the document is read; some cells or metadata are doubtful
ROW_WIDTH_MISMATCH = "row_width_mismatch"    # fewer/more values than columns: the row's cells are null
ROW_NOT_FOUND = "row_not_found"              # a row of the format is not in the table: cells `missing`
TABLE_NOT_FOUND = "table_not_found"          # a whole section's table is not there
UNREADABLE_VALUE = "unreadable_value"        # a value that is not a number, marker or blank
RUN_TOGETHER_VALUES = "run_together_values"  # adjacent cells printed without separators ("640020470"):
#                                              no split, or several, are consistent with the identities
RECOVERED_BY_IDENTITIES = "recovered_by_identities"  # run-together cells split the only consistent way
AMBIGUOUS_COLUMN = "ambiguous_column"        # a row with blank cells whose spacing does not say which
#                                              column a value is under: that cell is unreadable
DOUBLED_TEXT = "doubled_text"                # every word of a text printed twice (fake bold via a converter): read once
UNKNOWN_ROW = "unknown_row"                  # a row label not in the vocabulary (extra local rows)
DUPLICATE_ROW = "duplicate_row"              # the same row printed twice with different values
FORMAT_VERSION_MISMATCH = "format_version_mismatch"  # the tables' version differs from the year's
METADATA_MISSING = "metadata_missing"        # publisher / year not found
PARTIAL_TEXT_LAYER = "partial_text_layer"    # some pages have no text (scanned pages inside)

# ---- OCR (scanned and image-only documents, extractors.ocr)
OCR_UNAVAILABLE = "ocr_unavailable"          # error: the document needs OCR and the OCR packages are not installed
ERRORS = (*ERRORS, OCR_UNAVAILABLE)
OCR_PAGE_BUDGET = "ocr_page_budget"          # a page ran over its OCR time budget: its tables are not read
OCR_LOW_CONFIDENCE = "ocr_low_confidence"    # OCR readings below the confidence threshold: cells `unreadable`
OCR_IDENTITY_CONFLICT = "ocr_identity_conflict"  # an identity failed on OCR-read cells, which were read again
