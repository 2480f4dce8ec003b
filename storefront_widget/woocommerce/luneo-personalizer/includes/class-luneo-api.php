<?php
/**
 * Server-side calls to Luneo's storefront API (the same one the editor calls from the browser).
 *
 * Used where WordPress must not take the browser's word: whether a product is customizable,
 * and what a design id submitted with the cart form really is (its summary and preview link);
 * and to show the design recovery page on the store (Luneo_Recovery). Every call names the
 * plugin's version (X-Luneo-Plugin), so Luneo knows what this store can host.
 *
 * @package LuneoPersonalizer
 */

defined( 'ABSPATH' ) || exit;

/**
 * A small client for {LUNEO_URL}/storefront/v1 with the store's public key.
 */
class Luneo_Api {

	const TIMEOUT = 5;

	/**
	 * Luneo's address, e.g. https://luneo.example ('' when not configured).
	 */
	public static function luneo_url() {
		return untrailingslashit( (string) get_option( 'luneo_url', '' ) );
	}

	/**
	 * The API base, e.g. https://luneo.example/storefront/v1 ('' when not configured).
	 */
	public static function base() {
		$url = self::luneo_url();
		return '' === $url ? '' : $url . '/storefront/v1';
	}

	/**
	 * The recovery surface of one e-mailed link: the page's API, on Luneo.
	 *
	 * @param string $token The link's token (checked by Luneo_Recovery::token).
	 */
	public static function recovery_base( $token ) {
		return self::luneo_url() . '/recover/' . rawurlencode( $token );
	}

	/**
	 * Whether the plugin has what it needs to talk to Luneo.
	 */
	public static function is_configured() {
		return '' !== self::base() && '' !== (string) get_option( 'luneo_key', '' );
	}

	/**
	 * The store's origin as browsers send it: Luneo only answers this origin.
	 */
	public static function origin() {
		$parts = wp_parse_url( home_url() );
		if ( empty( $parts['scheme'] ) || empty( $parts['host'] ) ) {
			return '';
		}
		$origin = $parts['scheme'] . '://' . $parts['host'];
		if ( ! empty( $parts['port'] ) ) {
			$origin .= ':' . $parts['port'];
		}
		return $origin;
	}

	/**
	 * GET a path under the API base: the decoded JSON object, or a WP_Error.
	 *
	 * @param string $path e.g. /products/12/template.
	 * @return array|WP_Error
	 */
	public static function get( $path ) {
		if ( ! self::is_configured() ) {
			return new WP_Error( 'luneo_not_configured', __( 'Luneo is not set up yet.', 'luneo-personalizer' ) );
		}
		return self::get_json( self::base() . $path, array( 'X-Luneo-Key' => (string) get_option( 'luneo_key', '' ) ) );
	}

	/**
	 * What the recovery page shows for a link (shop, order, item, product and variant ids), or a
	 * WP_Error whose data holds Luneo's status and error code (link_invalid, link_expired, …).
	 *
	 * @param string $token The link's token.
	 * @return array|WP_Error
	 */
	public static function recovery( $token ) {
		if ( '' === self::luneo_url() ) {
			return new WP_Error( 'luneo_not_configured', __( 'Luneo is not set up yet.', 'luneo-personalizer' ) );
		}
		return self::get_json( self::recovery_base( $token ) . '/context', array() );
	}

	/**
	 * The links to change the designs of an order's personalised lines, by Woo line item id
	 * (each: url, open, message), asked once per page; an empty array when Luneo does not know
	 * the order yet or cannot be reached. The order's own key proves the buyer to Luneo.
	 *
	 * @param WC_Order $order The order the page shows.
	 * @return array
	 */
	public static function order_edits( $order ) {
		static $answers = array();
		$order_id = (int) $order->get_id();
		if ( isset( $answers[ $order_id ] ) ) {
			return $answers[ $order_id ];
		}
		$answers[ $order_id ] = array();
		if ( ! self::is_configured() ) {
			return array();
		}
		$response = wp_remote_post(
			self::base() . '/order-edits',
			array(
				'timeout'     => self::TIMEOUT,
				'redirection' => 0,
				'headers'     => array(
					'Accept'         => 'application/json',
					'Content-Type'   => 'application/json',
					'Origin'         => self::origin(),
					'X-Luneo-Key'    => (string) get_option( 'luneo_key', '' ),
					'X-Luneo-Plugin' => LUNEO_PERSONALIZER_VERSION,
				),
				'body'        => wp_json_encode(
					array(
						'order_id'  => (string) $order_id,
						'order_key' => (string) $order->get_order_key(),
					)
				),
			)
		);
		if ( is_wp_error( $response ) || 200 !== (int) wp_remote_retrieve_response_code( $response ) ) {
			return array();
		}
		$body  = json_decode( (string) wp_remote_retrieve_body( $response ), true );
		$lines = array();
		if ( is_array( $body ) && isset( $body['lines'] ) && is_array( $body['lines'] ) ) {
			foreach ( $body['lines'] as $line ) {
				if ( is_array( $line ) && isset( $line['item'], $line['url'] ) && is_string( $line['url'] ) ) {
					$lines[ (string) $line['item'] ] = $line;
				}
			}
		}
		$answers[ $order_id ] = $lines;
		return $lines;
	}

	/**
	 * One GET to Luneo from this store: the decoded JSON object, or a WP_Error.
	 *
	 * @param string $url     The full URL.
	 * @param array  $headers Headers besides the ones every call sends.
	 * @return array|WP_Error
	 */
	private static function get_json( $url, $headers ) {
		$response = wp_remote_get(
			$url,
			array(
				'timeout'     => self::TIMEOUT,
				'redirection' => 0,
				'headers'     => array_merge(
					array(
						'Accept'         => 'application/json',
						'Origin'         => self::origin(),
						'X-Luneo-Plugin' => LUNEO_PERSONALIZER_VERSION,
					),
					$headers
				),
			)
		);
		if ( is_wp_error( $response ) ) {
			return $response;
		}
		$status = (int) wp_remote_retrieve_response_code( $response );
		$body   = json_decode( (string) wp_remote_retrieve_body( $response ), true );
		if ( 200 !== $status || ! is_array( $body ) ) {
			$code = ( is_array( $body ) && isset( $body['error']['code'] ) && is_string( $body['error']['code'] ) ) ? $body['error']['code'] : '';
			return new WP_Error(
				'luneo_http_' . $status,
				__( 'Luneo did not answer as expected.', 'luneo-personalizer' ),
				array(
					'status' => $status,
					'code'   => $code,
				)
			);
		}
		return $body;
	}

	/**
	 * Whether the product has an active Luneo template (cached: 10 minutes, 1 minute on errors).
	 *
	 * @param int $product_id WooCommerce product id.
	 */
	public static function is_customizable( $product_id ) {
		$product_id = absint( $product_id );
		if ( ! $product_id || ! self::is_configured() ) {
			return false;
		}
		$cache_key = 'luneo_customizable_' . $product_id;
		$cached    = get_transient( $cache_key );
		if ( false !== $cached ) {
			return 'yes' === $cached;
		}
		$template = self::get( '/products/' . $product_id . '/template' );
		$answer   = is_wp_error( $template ) ? 'no' : 'yes';
		$lifetime = ( is_wp_error( $template ) && 'luneo_http_404' !== $template->get_error_code() ) ? MINUTE_IN_SECONDS : 10 * MINUTE_IN_SECONDS;
		set_transient( $cache_key, $answer, $lifetime );
		if ( ! is_wp_error( $template ) && isset( $template['id'] ) && is_int( $template['id'] ) ) {
			set_transient( 'luneo_template_' . $product_id, (string) $template['id'], 10 * MINUTE_IN_SECONDS ); // The add to cart's check needs no second call.
		}
		return 'yes' === $answer;
	}

	/**
	 * The id of the product's active Luneo template (cached 10 minutes), or a WP_Error; a
	 * design is charged on a product only when it was made with that product's template.
	 *
	 * @param int  $product_id WooCommerce product id (the parent of a variation).
	 * @param bool $fresh      Ask Luneo even when cached (the template may have been replaced).
	 * @return int|WP_Error
	 */
	public static function template_id( $product_id, $fresh = false ) {
		$product_id = absint( $product_id );
		$cache_key  = 'luneo_template_' . $product_id;
		$cached     = $fresh ? false : get_transient( $cache_key );
		if ( false !== $cached ) {
			return (int) $cached;
		}
		$template = self::get( '/products/' . $product_id . '/template' );
		if ( is_wp_error( $template ) ) {
			return $template;
		}
		if ( ! isset( $template['id'] ) || ! is_int( $template['id'] ) ) {
			return new WP_Error( 'luneo_bad_template', __( 'Luneo did not answer as expected.', 'luneo-personalizer' ) );
		}
		set_transient( $cache_key, (string) $template['id'], 10 * MINUTE_IN_SECONDS );
		return $template['id'];
	}

	/**
	 * A design as Luneo has it (id, template_id, summary, preview_url, status, price,
	 * properties), or a WP_Error.
	 *
	 * @param string $design_id The id the editor answered (d_…).
	 * @return array|WP_Error
	 */
	public static function design( $design_id ) {
		static $seen = array(); // Validation and cart data ask in the same request: one call.
		if ( ! self::is_design_id( $design_id ) ) {
			return new WP_Error( 'luneo_bad_design', __( 'This personalization is not valid.', 'luneo-personalizer' ) );
		}
		if ( ! isset( $seen[ $design_id ] ) ) {
			$seen[ $design_id ] = self::get( '/designs/' . rawurlencode( $design_id ) );
		}
		return $seen[ $design_id ];
	}

	/**
	 * Design ids look like d_ followed by URL-safe characters.
	 *
	 * @param mixed $value Anything.
	 */
	public static function is_design_id( $value ) {
		return is_string( $value ) && 1 === preg_match( '/^d_[A-Za-z0-9_-]{10,38}$/', $value );
	}
}
