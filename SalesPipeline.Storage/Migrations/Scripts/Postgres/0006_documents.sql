-- Documents with their bytes; every version of a title is a row of its own (version numbered from 1 within the title).
-- access_groups: group slugs joined by commas (empty for offers moved here from the former offer links: those are seen
-- by admins and by whoever may see their deal). Instants: Unix microseconds, as in the people and lead tables.
CREATE TABLE documents (
    id            text   NOT NULL PRIMARY KEY,
    title         text   NOT NULL,
    version       bigint NOT NULL CHECK (version > 0),
    kind          text   NOT NULL CHECK (kind IN ('offer-template', 'price-list', 'nda', 'contract', 'offer', 'other')),
    file_name     text   NOT NULL,
    content_type  text   NOT NULL,
    size          bigint NOT NULL CHECK (size >= 0),
    sha256        text   NOT NULL,
    access_groups text   NOT NULL,
    uploaded_by   text   NOT NULL,
    uploaded_at   bigint NOT NULL,
    content       bytea  NOT NULL,
    UNIQUE (title, version)
);

-- An offer attached to a deal now refers to a stored document. Each former offer (a title and a location) becomes an
-- 'offer' document whose content is its location as UTF-8 text; titles used more than once become versions in the
-- order the offers were attached.
CREATE TEMP TABLE offer_documents ON COMMIT DROP AS
SELECT opportunity_id,
       seq,
       gen_random_uuid()::text AS document_id,
       ROW_NUMBER() OVER (PARTITION BY title ORDER BY attached_at, opportunity_id, seq) AS version
FROM offers;

INSERT INTO documents (id, title, version, kind, file_name, content_type, size, sha256, access_groups, uploaded_by, uploaded_at, content)
SELECT d.document_id, o.title, d.version, 'offer', 'location.txt', 'text/plain; charset=utf-8', octet_length(convert_to(o.location, 'UTF8')),
       encode(sha256(convert_to(o.location, 'UTF8')), 'hex'), '', o.attached_by,
       (extract(epoch FROM o.attached_at) * 1000000)::bigint, convert_to(o.location, 'UTF8')
FROM offers o JOIN offer_documents d ON d.opportunity_id = o.opportunity_id AND d.seq = o.seq;

UPDATE offers SET location = d.document_id FROM offer_documents d WHERE d.opportunity_id = offers.opportunity_id AND d.seq = offers.seq;

ALTER TABLE offers RENAME COLUMN location TO document_id;

-- Which deals a document is attached to (the access rule for attached documents).
CREATE INDEX ix_offers_document ON offers (document_id);
