module.exports = class Data1795222460581 {
  name = 'Data1795222460581'

  async up(db) {
    await db.query(
      `CREATE TABLE "contract_metadata" ("id" character varying NOT NULL, "status" character varying(9) NOT NULL, "confirmed_standard" character varying(7), "name" text, "symbol" text, "decimals" integer, "total_supply" numeric, "uri" text, "resolved_url" text, "normalized" jsonb, "raw" jsonb, "error_code" text, "error_message" text, "last_fetched_at" TIMESTAMP WITH TIME ZONE, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, "contract_id" character varying, CONSTRAINT "REL_9f8aadfc2689f3dc8e8830f479" UNIQUE ("contract_id"), CONSTRAINT "PK_73984d36bdc3ade22bfbe30793f" PRIMARY KEY ("id"))`,
    )
    await db.query(`CREATE UNIQUE INDEX "IDX_9f8aadfc2689f3dc8e8830f479" ON "contract_metadata" ("contract_id") `)
    await db.query(
      `CREATE TABLE "token_metadata" ("id" character varying NOT NULL, "status" character varying(9) NOT NULL, "uri" text, "resolved_url" text, "content_hash" text, "error_code" text, "error_message" text, "error_http_status" integer, "queued_at" TIMESTAMP WITH TIME ZONE, "last_fetched_at" TIMESTAMP WITH TIME ZONE, "updated_at" TIMESTAMP WITH TIME ZONE, "name" text, "description" text, "image" text, "image_data" text, "external_url" text, "animation_url" text, "background_color" text, "youtube_url" text, "decimals" integer, "properties" jsonb, "localization" jsonb, "normalized" jsonb, "raw" jsonb, "token_id" character varying, "contract_id" character varying, CONSTRAINT "REL_ae38b55b4b703e14955dbe7549" UNIQUE ("token_id"), CONSTRAINT "PK_69858f47995fd449579fa325054" PRIMARY KEY ("id"))`,
    )
    await db.query(`CREATE UNIQUE INDEX "IDX_ae38b55b4b703e14955dbe7549" ON "token_metadata" ("token_id") `)
    await db.query(`CREATE INDEX "IDX_99aff2289b116f2bb5af4493fc" ON "token_metadata" ("contract_id") `)
    await db.query(`CREATE INDEX "IDX_bb302aa4e6386c754e2704181c" ON "token_metadata" ("name") `)
    await db.query(`CREATE INDEX "IDX_6d37e32080a9652abe3c6c9127" ON "token_metadata" ("status", "contract_id") `)
    await db.query(
      `CREATE TABLE "token_attribute" ("id" character varying NOT NULL, "position" integer NOT NULL, "trait_type" text, "value" text, "value_number" numeric, "value_json" jsonb, "display_type" text, "max_value" numeric, "token_id" character varying, "contract_id" character varying, CONSTRAINT "PK_7d1df47be48f823c6994751b018" PRIMARY KEY ("id"))`,
    )
    await db.query(`CREATE INDEX "IDX_04dcf90b94cfdf479286136144" ON "token_attribute" ("token_id") `)
    await db.query(`CREATE INDEX "IDX_82d5ea8e858e770a1b4735112a" ON "token_attribute" ("contract_id", "trait_type", "value") `)
    await db.query(
      `CREATE TABLE "token_locale" ("id" character varying NOT NULL, "locale" text NOT NULL, "normalized" jsonb NOT NULL, "raw" jsonb, "token_id" character varying, CONSTRAINT "PK_ad429a95c1576a87f4b7c8ec539" PRIMARY KEY ("id"))`,
    )
    await db.query(`CREATE UNIQUE INDEX "IDX_4bc87151050e1bec7286ec7906" ON "token_locale" ("token_id", "locale") `)
    await db.query(
      `CREATE TABLE "balance" ("id" character varying NOT NULL, "account" text NOT NULL, "amount" numeric NOT NULL, "token_id" character varying, "contract_id" character varying, CONSTRAINT "PK_079dddd31a81672e8143a649ca0" PRIMARY KEY ("id"))`,
    )
    await db.query(`CREATE INDEX "IDX_0b0aa2866ff7aea6950efbd20c" ON "balance" ("token_id") `)
    await db.query(`CREATE INDEX "IDX_58a6d322ce2560023620e4c48e" ON "balance" ("contract_id") `)
    await db.query(`CREATE INDEX "IDX_e57d6276887e03e0f871e95646" ON "balance" ("account", "token_id") `)
    await db.query(
      `CREATE TABLE "update_notice" ("id" character varying NOT NULL, "chain" text NOT NULL, "kind" character varying(21) NOT NULL, "from_token_id" numeric, "to_token_id" numeric, "token_count" integer NOT NULL, "uri" text, "update_mode" character varying(8), "ttl" integer, "sender" text, "block_number" integer NOT NULL, "block_hash" text NOT NULL, "tx_hash" text NOT NULL, "log_index" integer NOT NULL, "timestamp" TIMESTAMP WITH TIME ZONE NOT NULL, "contract_id" character varying, "token_id" character varying, CONSTRAINT "PK_446c7c2841fd9757a18e15064d9" PRIMARY KEY ("id"))`,
    )
    await db.query(`CREATE INDEX "IDX_f0a40ea55bc6b27605d5ef7f6d" ON "update_notice" ("token_id") `)
    await db.query(`CREATE INDEX "IDX_5d06dc3213de8631584a43b10c" ON "update_notice" ("contract_id", "block_number") `)
    await db.query(
      `CREATE TABLE "token" ("id" character varying NOT NULL, "chain" text NOT NULL, "token_id" numeric NOT NULL, "standard" character varying(7) NOT NULL, "owner" text, "supply" numeric NOT NULL, "burned" boolean NOT NULL, "chain_uri" text, "mint_block" integer, "mint_tx" text, "minted_at" TIMESTAMP WITH TIME ZONE, "burn_block" integer, "update_mode" character varying(8) NOT NULL, "update_ttl" integer, "contract_id" character varying, CONSTRAINT "PK_82fae97f905930df5d62a702fc9" PRIMARY KEY ("id"))`,
    )
    await db.query(`CREATE INDEX "IDX_09ab7fa2562dfcde15fef96eea" ON "token" ("owner", "contract_id") `)
    await db.query(`CREATE UNIQUE INDEX "IDX_73650f3d342c2431560ff770d5" ON "token" ("contract_id", "token_id") `)
    await db.query(
      `CREATE TABLE "contract" ("id" character varying NOT NULL, "chain" text NOT NULL, "address" text NOT NULL, "standard" character varying(7) NOT NULL, "total_supply" numeric, "deployer" text, "deploy_tx" text, "deploy_block" integer, "first_seen_block" integer NOT NULL, "update_mode" character varying(8) NOT NULL, "update_ttl" integer, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_17c3a89f58a2997276084e706e8" PRIMARY KEY ("id"))`,
    )
    await db.query(`CREATE INDEX "IDX_4bbe5fb40812718baf74cc9a79" ON "contract" ("address") `)
    await db.query(`CREATE INDEX "IDX_8a83ca65234d01b6104bb81e71" ON "contract" ("chain", "standard") `)
    await db.query(
      `CREATE TABLE "metadata_job" ("id" character varying NOT NULL, "kind" character varying(8) NOT NULL, "chain" text NOT NULL, "contract_id" text NOT NULL, "token_ref" text, "status" character varying(7) NOT NULL, "priority" integer NOT NULL, "run_at" TIMESTAMP WITH TIME ZONE NOT NULL, "attempts" integer NOT NULL, "request_version" integer NOT NULL, "claimed_version" integer, "queued_at" TIMESTAMP WITH TIME ZONE NOT NULL, "locked_by" text, "locked_until" TIMESTAMP WITH TIME ZONE, "host" text, "error_code" text, "error_message" text, "error_http_status" integer, "error_body" text, "error_url" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, "finished_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_fad7977697b707df189c5f93241" PRIMARY KEY ("id"))`,
    )
    await db.query(`CREATE INDEX "IDX_affffc2fa685c24bc2bf78b7af" ON "metadata_job" ("contract_id") `)
    await db.query(`CREATE INDEX "IDX_212901d8990bdce2bba7bd547f" ON "metadata_job" ("status", "priority", "run_at") `)
    await db.query(
      `CREATE TABLE "host_state" ("id" character varying NOT NULL, "cooldown_until" TIMESTAMP WITH TIME ZONE, "rate_limited_count" integer NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_49dbe37315128ece5d7ee873f92" PRIMARY KEY ("id"))`,
    )
    await db.query(
      `CREATE TABLE "host_lease" ("id" character varying NOT NULL, "host" text NOT NULL, "worker_id" text NOT NULL, "slots" integer NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_0ed6e21d7662e28236f850d58b6" PRIMARY KEY ("id"))`,
    )
    await db.query(`CREATE INDEX "IDX_68fd2178ca6a2ac4daa345de4f" ON "host_lease" ("host") `)
    await db.query(
      `CREATE TABLE "job_stat_minute" ("id" character varying NOT NULL, "minute" TIMESTAMP WITH TIME ZONE NOT NULL, "chain" text NOT NULL, "host" text NOT NULL, "completed" integer NOT NULL, "failed" integer NOT NULL, "invalid" integer NOT NULL, "retried" integer NOT NULL, CONSTRAINT "PK_de8d9d2d17387b01218a746a9ab" PRIMARY KEY ("id"))`,
    )
    await db.query(`CREATE INDEX "IDX_a28d10cb66e30119c53e529572" ON "job_stat_minute" ("minute") `)
    await db.query(
      `CREATE TABLE "api_key" ("id" character varying NOT NULL, "name" text NOT NULL, "hash" text NOT NULL, "prefix" text NOT NULL, "admin" boolean NOT NULL, "contracts" text array NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "revoked_at" TIMESTAMP WITH TIME ZONE, "last_used_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_b1bd840641b8acbaad89c3d8d11" PRIMARY KEY ("id"))`,
    )
    await db.query(`CREATE UNIQUE INDEX "IDX_45e0aa2a880b928326a05a2888" ON "api_key" ("hash") `)
    await db.query(
      `CREATE TABLE "refresh_item" ("id" character varying NOT NULL, "token_ref" text NOT NULL, "token_id" numeric NOT NULL, "job_version" integer NOT NULL, "status" character varying(9) NOT NULL, "error_code" text, "error_http_status" integer, "error_body" text, "error_url" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "finished_at" TIMESTAMP WITH TIME ZONE, "refresh_id" character varying, CONSTRAINT "PK_ff64d6d7740b89dd4c9d1796793" PRIMARY KEY ("id"))`,
    )
    await db.query(`CREATE INDEX "IDX_830a8325bda16921a1ed9bb3ec" ON "refresh_item" ("refresh_id", "status") `)
    await db.query(`CREATE INDEX "IDX_0dbf4eefc642de0bc5bf29eaca" ON "refresh_item" ("token_ref", "status") `)
    await db.query(
      `CREATE TABLE "refresh" ("id" character varying NOT NULL, "surface" text NOT NULL, "chain" text NOT NULL, "contract_id" text NOT NULL, "status" character varying(11) NOT NULL, "token_count" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE, "completed_at" TIMESTAMP WITH TIME ZONE, "api_key_id" character varying, CONSTRAINT "PK_9367d4d8c769c16ad5200ad86d4" PRIMARY KEY ("id"))`,
    )
    await db.query(`CREATE INDEX "IDX_5dfcebbe03bcb2cbb65f9e2dc7" ON "refresh" ("api_key_id") `)
    await db.query(`CREATE INDEX "IDX_a3b8ccdedc20128172dc2f2201" ON "refresh" ("contract_id", "created_at") `)
    await db.query(
      `CREATE TABLE "rate_limit_window" ("id" character varying NOT NULL, "kind" text NOT NULL, "window_start" TIMESTAMP WITH TIME ZONE NOT NULL, "count" integer NOT NULL, "api_key_id" character varying, CONSTRAINT "PK_b5bcc833f2eaa9d6d7b7b936a46" PRIMARY KEY ("id"))`,
    )
    await db.query(`CREATE INDEX "IDX_cc35fc534a91f588b1b501b3d3" ON "rate_limit_window" ("api_key_id", "window_start") `)
    await db.query(
      `ALTER TABLE "contract_metadata" ADD CONSTRAINT "FK_9f8aadfc2689f3dc8e8830f479d" FOREIGN KEY ("contract_id") REFERENCES "contract"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    )
    await db.query(
      `ALTER TABLE "token_metadata" ADD CONSTRAINT "FK_ae38b55b4b703e14955dbe75496" FOREIGN KEY ("token_id") REFERENCES "token"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    )
    await db.query(
      `ALTER TABLE "token_metadata" ADD CONSTRAINT "FK_99aff2289b116f2bb5af4493fc6" FOREIGN KEY ("contract_id") REFERENCES "contract"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    )
    await db.query(
      `ALTER TABLE "token_attribute" ADD CONSTRAINT "FK_04dcf90b94cfdf479286136144d" FOREIGN KEY ("token_id") REFERENCES "token"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    )
    await db.query(
      `ALTER TABLE "token_attribute" ADD CONSTRAINT "FK_8589639c82e350442059d37e11c" FOREIGN KEY ("contract_id") REFERENCES "contract"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    )
    await db.query(
      `ALTER TABLE "token_locale" ADD CONSTRAINT "FK_ba7c3167d9f7a838f729220e74c" FOREIGN KEY ("token_id") REFERENCES "token"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    )
    await db.query(
      `ALTER TABLE "balance" ADD CONSTRAINT "FK_0b0aa2866ff7aea6950efbd20c0" FOREIGN KEY ("token_id") REFERENCES "token"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    )
    await db.query(
      `ALTER TABLE "balance" ADD CONSTRAINT "FK_58a6d322ce2560023620e4c48e5" FOREIGN KEY ("contract_id") REFERENCES "contract"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    )
    await db.query(
      `ALTER TABLE "update_notice" ADD CONSTRAINT "FK_c8c597f40c0702665099e41e1cc" FOREIGN KEY ("contract_id") REFERENCES "contract"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    )
    await db.query(
      `ALTER TABLE "update_notice" ADD CONSTRAINT "FK_f0a40ea55bc6b27605d5ef7f6d7" FOREIGN KEY ("token_id") REFERENCES "token"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    )
    await db.query(
      `ALTER TABLE "token" ADD CONSTRAINT "FK_5c85dbbd108d915a13f71de39ad" FOREIGN KEY ("contract_id") REFERENCES "contract"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    )
    await db.query(
      `ALTER TABLE "refresh_item" ADD CONSTRAINT "FK_dbdf5a65d3dd91e3fa8de0bfe6a" FOREIGN KEY ("refresh_id") REFERENCES "refresh"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    )
    await db.query(
      `ALTER TABLE "refresh" ADD CONSTRAINT "FK_5dfcebbe03bcb2cbb65f9e2dc76" FOREIGN KEY ("api_key_id") REFERENCES "api_key"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    )
    await db.query(
      `ALTER TABLE "rate_limit_window" ADD CONSTRAINT "FK_22204c53d6aa6ba21b75d5dd1f5" FOREIGN KEY ("api_key_id") REFERENCES "api_key"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    )
  }

  async down(db) {
    await db.query(`ALTER TABLE "rate_limit_window" DROP CONSTRAINT "FK_22204c53d6aa6ba21b75d5dd1f5"`)
    await db.query(`ALTER TABLE "refresh" DROP CONSTRAINT "FK_5dfcebbe03bcb2cbb65f9e2dc76"`)
    await db.query(`ALTER TABLE "refresh_item" DROP CONSTRAINT "FK_dbdf5a65d3dd91e3fa8de0bfe6a"`)
    await db.query(`ALTER TABLE "token" DROP CONSTRAINT "FK_5c85dbbd108d915a13f71de39ad"`)
    await db.query(`ALTER TABLE "update_notice" DROP CONSTRAINT "FK_f0a40ea55bc6b27605d5ef7f6d7"`)
    await db.query(`ALTER TABLE "update_notice" DROP CONSTRAINT "FK_c8c597f40c0702665099e41e1cc"`)
    await db.query(`ALTER TABLE "balance" DROP CONSTRAINT "FK_58a6d322ce2560023620e4c48e5"`)
    await db.query(`ALTER TABLE "balance" DROP CONSTRAINT "FK_0b0aa2866ff7aea6950efbd20c0"`)
    await db.query(`ALTER TABLE "token_locale" DROP CONSTRAINT "FK_ba7c3167d9f7a838f729220e74c"`)
    await db.query(`ALTER TABLE "token_attribute" DROP CONSTRAINT "FK_8589639c82e350442059d37e11c"`)
    await db.query(`ALTER TABLE "token_attribute" DROP CONSTRAINT "FK_04dcf90b94cfdf479286136144d"`)
    await db.query(`ALTER TABLE "token_metadata" DROP CONSTRAINT "FK_99aff2289b116f2bb5af4493fc6"`)
    await db.query(`ALTER TABLE "token_metadata" DROP CONSTRAINT "FK_ae38b55b4b703e14955dbe75496"`)
    await db.query(`ALTER TABLE "contract_metadata" DROP CONSTRAINT "FK_9f8aadfc2689f3dc8e8830f479d"`)
    await db.query(`DROP INDEX "public"."IDX_cc35fc534a91f588b1b501b3d3"`)
    await db.query(`DROP TABLE "rate_limit_window"`)
    await db.query(`DROP INDEX "public"."IDX_a3b8ccdedc20128172dc2f2201"`)
    await db.query(`DROP INDEX "public"."IDX_5dfcebbe03bcb2cbb65f9e2dc7"`)
    await db.query(`DROP TABLE "refresh"`)
    await db.query(`DROP INDEX "public"."IDX_0dbf4eefc642de0bc5bf29eaca"`)
    await db.query(`DROP INDEX "public"."IDX_830a8325bda16921a1ed9bb3ec"`)
    await db.query(`DROP TABLE "refresh_item"`)
    await db.query(`DROP INDEX "public"."IDX_45e0aa2a880b928326a05a2888"`)
    await db.query(`DROP TABLE "api_key"`)
    await db.query(`DROP INDEX "public"."IDX_a28d10cb66e30119c53e529572"`)
    await db.query(`DROP TABLE "job_stat_minute"`)
    await db.query(`DROP INDEX "public"."IDX_68fd2178ca6a2ac4daa345de4f"`)
    await db.query(`DROP TABLE "host_lease"`)
    await db.query(`DROP TABLE "host_state"`)
    await db.query(`DROP INDEX "public"."IDX_212901d8990bdce2bba7bd547f"`)
    await db.query(`DROP INDEX "public"."IDX_affffc2fa685c24bc2bf78b7af"`)
    await db.query(`DROP TABLE "metadata_job"`)
    await db.query(`DROP INDEX "public"."IDX_8a83ca65234d01b6104bb81e71"`)
    await db.query(`DROP INDEX "public"."IDX_4bbe5fb40812718baf74cc9a79"`)
    await db.query(`DROP TABLE "contract"`)
    await db.query(`DROP INDEX "public"."IDX_73650f3d342c2431560ff770d5"`)
    await db.query(`DROP INDEX "public"."IDX_09ab7fa2562dfcde15fef96eea"`)
    await db.query(`DROP TABLE "token"`)
    await db.query(`DROP INDEX "public"."IDX_5d06dc3213de8631584a43b10c"`)
    await db.query(`DROP INDEX "public"."IDX_f0a40ea55bc6b27605d5ef7f6d"`)
    await db.query(`DROP TABLE "update_notice"`)
    await db.query(`DROP INDEX "public"."IDX_e57d6276887e03e0f871e95646"`)
    await db.query(`DROP INDEX "public"."IDX_58a6d322ce2560023620e4c48e"`)
    await db.query(`DROP INDEX "public"."IDX_0b0aa2866ff7aea6950efbd20c"`)
    await db.query(`DROP TABLE "balance"`)
    await db.query(`DROP INDEX "public"."IDX_4bc87151050e1bec7286ec7906"`)
    await db.query(`DROP TABLE "token_locale"`)
    await db.query(`DROP INDEX "public"."IDX_82d5ea8e858e770a1b4735112a"`)
    await db.query(`DROP INDEX "public"."IDX_04dcf90b94cfdf479286136144"`)
    await db.query(`DROP TABLE "token_attribute"`)
    await db.query(`DROP INDEX "public"."IDX_6d37e32080a9652abe3c6c9127"`)
    await db.query(`DROP INDEX "public"."IDX_bb302aa4e6386c754e2704181c"`)
    await db.query(`DROP INDEX "public"."IDX_99aff2289b116f2bb5af4493fc"`)
    await db.query(`DROP INDEX "public"."IDX_ae38b55b4b703e14955dbe7549"`)
    await db.query(`DROP TABLE "token_metadata"`)
    await db.query(`DROP INDEX "public"."IDX_9f8aadfc2689f3dc8e8830f479"`)
    await db.query(`DROP TABLE "contract_metadata"`)
  }
}
