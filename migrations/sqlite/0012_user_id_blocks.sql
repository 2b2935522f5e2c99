-- Users counted per block of 1,024 ids, kept by triggers. SCIM's offset paging
-- (startIndex) finds the block its page starts in by adding up these counts, then
-- walks fewer than 1,024 ids, instead of walking every id before the page; an
-- unfiltered totalResults is their sum (app/repositories/scim_users.py).

CREATE TABLE user_id_blocks (
    block      INTEGER PRIMARY KEY,
    user_count INTEGER NOT NULL
);

INSERT INTO user_id_blocks (block, user_count)
SELECT id / 1024, count(*) FROM users GROUP BY id / 1024;

CREATE TRIGGER user_id_blocks_insert AFTER INSERT ON users
BEGIN
    INSERT INTO user_id_blocks (block, user_count) VALUES (NEW.id / 1024, 1)
    ON CONFLICT (block) DO UPDATE SET user_count = user_count + 1;
END;

CREATE TRIGGER user_id_blocks_delete AFTER DELETE ON users
BEGIN
    UPDATE user_id_blocks SET user_count = user_count - 1 WHERE block = OLD.id / 1024;
END;
