//! The organisation-network model.
