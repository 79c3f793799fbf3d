"""The portal's exchange pages (/exchange/): catalog, the exchange flow, fee payment, tokens."""
