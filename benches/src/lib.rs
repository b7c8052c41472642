//! Shared inputs for the benches and the peer comparison (see `benches/peers`).
