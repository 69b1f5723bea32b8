//! Code query (二维码查询) and scrapping (码报废).
