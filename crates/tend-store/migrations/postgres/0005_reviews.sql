-- Reviews of a circle's routine: which version, who answered what (keep / change / drop per
-- step, suggestions), all sealed with the circle's key. Partners see the outcome only as the
-- rules allow: a wish to change or drop stays unnamed unless its author chose otherwise.
CREATE TABLE routine_reviews (
    id UUID PRIMARY KEY,
    circle_id UUID NOT NULL REFERENCES circles (id) ON DELETE CASCADE,
    sealed BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX routine_reviews_circle_id ON routine_reviews (circle_id);
