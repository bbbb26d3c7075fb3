//! Documents between devices and the server: the WebSocket session, the
//! cache of loaded documents, and the gate every change passes.

pub mod gate;
pub mod refdocs;
pub mod session;
