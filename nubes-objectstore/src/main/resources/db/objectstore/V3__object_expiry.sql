-- X-Delete-At: the Unix time an object expires, so that the expirer finds the objects due
-- without reading them all. NULL: the object does not expire.
ALTER TABLE os_objects ADD COLUMN delete_at BIGINT;
CREATE INDEX os_objects_delete_at ON os_objects (delete_at);
