-- Documents with their bytes; every version of a title is a row of its own (version numbered from 1 within the title).
-- access_groups: group slugs joined by commas (empty for offers moved here from the former offer links: those are seen
-- by admins and by whoever may see their deal). Instants: Unix microseconds.
CREATE TABLE documents (
    id            TEXT    NOT NULL PRIMARY KEY,
    title         TEXT    NOT NULL,
    version       INTEGER NOT NULL CHECK (version > 0),
    kind          TEXT    NOT NULL CHECK (kind IN ('offer-template', 'price-list', 'nda', 'contract', 'offer', 'other')),
    file_name     TEXT    NOT NULL,
    content_type  TEXT    NOT NULL,
    size          INTEGER NOT NULL CHECK (size >= 0),
    sha256        TEXT    NOT NULL,
    access_groups TEXT    NOT NULL,
    uploaded_by   TEXT    NOT NULL,
    uploaded_at   INTEGER NOT NULL,
    content       BLOB    NOT NULL,
    UNIQUE (title, version)
);

-- An offer attached to a deal now refers to a stored document. Each former offer (a title and a location) becomes an
-- 'offer' document whose content is its location as UTF-8 text; titles used more than once become versions in the
-- order the offers were attached. salespipeline_sha256 is registered on the connection that migrates.
CREATE TEMP TABLE offer_documents AS
SELECT opportunity_id,
       seq,
       lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' ||
             substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))) AS document_id,
       ROW_NUMBER() OVER (PARTITION BY title ORDER BY attached_at, opportunity_id, seq) AS version
FROM offers;

INSERT INTO documents (id, title, version, kind, file_name, content_type, size, sha256, access_groups, uploaded_by, uploaded_at, content)
SELECT d.document_id, o.title, d.version, 'offer', 'location.txt', 'text/plain; charset=utf-8', length(CAST(o.location AS BLOB)),
       salespipeline_sha256(CAST(o.location AS BLOB)), '', o.attached_by, o.attached_at, CAST(o.location AS BLOB)
FROM offers o JOIN offer_documents d ON d.opportunity_id = o.opportunity_id AND d.seq = o.seq;

UPDATE offers SET location = (SELECT d.document_id FROM offer_documents d WHERE d.opportunity_id = offers.opportunity_id AND d.seq = offers.seq);

DROP TABLE offer_documents;

ALTER TABLE offers RENAME COLUMN location TO document_id;

-- Which deals a document is attached to (the access rule for attached documents).
CREATE INDEX ix_offers_document ON offers (document_id);
