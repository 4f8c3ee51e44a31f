// Offline: the record-hand form and the scorepad keep working without a connection (issue 16).
