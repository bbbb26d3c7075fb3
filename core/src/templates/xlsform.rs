//! XLSForm import.
