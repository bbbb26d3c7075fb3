//! The Fieldcheck app: Tauri shell, device store and sync client. Built in a
//! later issue; the crate exists now so that the workspace layout is final.
