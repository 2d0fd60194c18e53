-- Each circle's data key, wrapped with the instance master key.
CREATE TABLE circle_keys (
    circle_id BLOB PRIMARY KEY NOT NULL,
    wrapped BLOB NOT NULL
) STRICT;
