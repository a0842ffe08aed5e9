-- The todo table; the client chooses each id, so a retried PUT cannot create a second row.
CREATE TABLE todo (
    id         text        PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 100),
    title      text        NOT NULL,
    done       boolean     NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);
