-- The ports of each server as the networking service gave them (JSON list of Vif), for its addresses.
ALTER TABLE instances ADD COLUMN network_info TEXT;
