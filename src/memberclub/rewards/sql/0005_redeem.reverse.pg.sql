DROP FUNCTION rewards_redeem;
