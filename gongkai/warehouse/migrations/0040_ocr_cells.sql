-- Cells read by OCR (a page without a text layer, or an image file): the flag and the recogniser's
-- confidence, as the extraction record gives them. Null for cells read from a text layer.
alter table raw.cells
    add column ocr boolean,
    add column confidence real check (confidence is null or (confidence >= 0 and confidence <= 1));
comment on column raw.cells.ocr is 'True when the cell was read by OCR (its page had no text layer).';
comment on column raw.cells.confidence is
    'OCR only: the recogniser''s confidence in raw_text (0..1); null for blank cells and text layers.';
