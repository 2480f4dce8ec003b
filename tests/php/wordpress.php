<?php
/**
 * The WordPress and WooCommerce the Luneo plugin runs against in tests: the functions and
 * classes it calls, each behaving as the real one does for the plugin's use (the hook registry
 * with priorities and did_action counts, magic-quoted $_POST, sanitizers, escaping, HTTP over
 * PHP streams to a live server, WC_Cart::add_to_cart's filters and its refusal on exceptions,
 * the cart's session round trip with fresh product objects, checkout's order line hook).
 *
 * Not a WordPress: only what the plugin's cart, price and API code paths touch.
 */

define( 'ABSPATH', __DIR__ . '/' );
define( 'MINUTE_IN_SECONDS', 60 );

$GLOBALS['harness'] = array(
	'filters'  => array(),
	'actions'  => array(),
	'options'  => array(),
	'products' => array(),
	'notices'  => array(),
	'http'     => array(),
	'cache'    => array(),
	'scripts'  => array(),
	'status'   => null,
	'page'     => '', // which WooCommerce page the request shows: order-received, view-order
);

// ------------------------------------------------------------------------------ hooks
function add_filter( $tag, $callback, $priority = 10, $accepted_args = 1 ) {
	$GLOBALS['harness']['filters'][ $tag ][ $priority ][] = array( $callback, $accepted_args );
	return true;
}

function add_action( $tag, $callback, $priority = 10, $accepted_args = 1 ) {
	return add_filter( $tag, $callback, $priority, $accepted_args );
}

function apply_filters( $tag, $value, ...$args ) {
	$hooks = isset( $GLOBALS['harness']['filters'][ $tag ] ) ? $GLOBALS['harness']['filters'][ $tag ] : array();
	ksort( $hooks );
	foreach ( $hooks as $callbacks ) {
		foreach ( $callbacks as list( $callback, $accepted ) ) {
			$value = call_user_func_array( $callback, array_slice( array_merge( array( $value ), $args ), 0, $accepted ) );
		}
	}
	return $value;
}

function do_action( $tag, ...$args ) {
	// As WordPress: counted before the callbacks run, so inside the first run did_action is 1.
	$GLOBALS['harness']['actions'][ $tag ] = did_action( $tag ) + 1;
	$hooks = isset( $GLOBALS['harness']['filters'][ $tag ] ) ? $GLOBALS['harness']['filters'][ $tag ] : array();
	ksort( $hooks );
	foreach ( $hooks as $callbacks ) {
		foreach ( $callbacks as list( $callback, $accepted ) ) {
			call_user_func_array( $callback, array_slice( $args, 0, $accepted ) );
		}
	}
}

function did_action( $tag ) {
	return isset( $GLOBALS['harness']['actions'][ $tag ] ) ? $GLOBALS['harness']['actions'][ $tag ] : 0;
}

// -------------------------------------------------------------------- plugin plumbing
function plugin_dir_path( $file ) {
	return rtrim( dirname( $file ), '/' ) . '/';
}

function plugin_basename( $file ) {
	return basename( dirname( $file ) ) . '/' . basename( $file );
}

function plugins_url( $path, $file ) {
	return home_url( '/wp-content/plugins/' . basename( dirname( $file ) ) . '/' . ltrim( $path, '/' ) );
}

function load_plugin_textdomain() {
	return true;
}

function __( $text, $domain = 'default' ) {
	return $text;
}

function esc_html__( $text, $domain = 'default' ) {
	return esc_html( $text );
}

function esc_attr__( $text, $domain = 'default' ) {
	return esc_attr( $text );
}

function get_option( $name, $default = false ) {
	return array_key_exists( $name, $GLOBALS['harness']['options'] ) ? $GLOBALS['harness']['options'][ $name ] : $default;
}

function home_url( $path = '' ) {
	return untrailingslashit( (string) get_option( 'home', '' ) ) . $path;
}

function is_admin() {
	return false;
}

function wp_doing_ajax() {
	return false;
}

function get_transient( $key ) {
	return isset( $GLOBALS['harness']['cache'][ $key ] ) ? $GLOBALS['harness']['cache'][ $key ] : false;
}

function set_transient( $key, $value, $expiration = 0 ) {
	$GLOBALS['harness']['cache'][ $key ] = $value;
	return true;
}

// ---------------------------------------------------------------- formatting, escaping
function untrailingslashit( $value ) {
	return rtrim( (string) $value, '/\\' );
}

function absint( $value ) {
	return abs( (int) $value );
}

function wp_unslash( $value ) {
	return is_array( $value ) ? array_map( 'wp_unslash', $value ) : stripslashes( (string) $value );
}

function wp_slash_deep( $value ) {
	return is_array( $value ) ? array_map( 'wp_slash_deep', $value ) : addslashes( (string) $value );
}

function wp_strip_all_tags( $text ) {
	$text = preg_replace( '@<(script|style)[^>]*?>.*?</\\1>@si', '', (string) $text );
	return trim( strip_tags( $text ) );
}

function sanitize_text_field( $value ) {
	// WordPress: valid UTF-8 only, tags stripped, no line breaks or runs of white space, no %xx.
	$text = (string) $value;
	if ( ! preg_match( '//u', $text ) ) {
		return '';
	}
	if ( false !== strpos( $text, '<' ) ) {
		$text = wp_strip_all_tags( preg_replace( '/<(?=[^a-zA-Z\/\?\!\%])/', '&lt;', $text ) );
	}
	$text = preg_replace( '/[\r\n\t ]+/', ' ', $text );
	$text = trim( $text );
	$text = preg_replace( '/%[a-f0-9]{2}/i', '', $text );
	return trim( $text );
}

function sanitize_key( $key ) {
	return preg_replace( '/[^a-z0-9_\-]/', '', strtolower( (string) $key ) );
}

function esc_html( $text ) {
	return htmlspecialchars( (string) $text, ENT_QUOTES, 'UTF-8' );
}

function esc_attr( $text ) {
	return esc_html( $text );
}

function esc_url_raw( $url, $protocols = null ) {
	$url = trim( (string) $url );
	return 1 === preg_match( '#^https?://[^\s"<>]+$#i', $url ) ? $url : '';
}

function esc_url( $url ) {
	return esc_html( esc_url_raw( $url ) );
}

function wp_parse_url( $url, $component = -1 ) {
	return parse_url( $url, $component );
}

function rawurlencode_deep( $value ) {
	return rawurlencode( $value );
}

// ------------------------------------------------------------------------------ errors
class WP_Error {
	private $code;
	private $message;
	private $data;

	public function __construct( $code = '', $message = '', $data = '' ) {
		$this->code    = $code;
		$this->message = $message;
		$this->data    = $data;
	}

	public function get_error_code() {
		return $this->code;
	}

	public function get_error_message() {
		return $this->message;
	}

	public function get_error_data() {
		return $this->data;
	}
}

function is_wp_error( $thing ) {
	return $thing instanceof WP_Error;
}

// ------------------------------------------------------------------ pages and scripts
/**
 * wp_json_encode: json_encode with WordPress's default depth.
 */
function wp_json_encode( $data, $options = 0, $depth = 512 ) {
	return json_encode( $data, $options, $depth );
}

function get_locale() {
	return (string) get_option( 'WPLANG', 'en_US' ) ?: 'en_US';
}

function esc_html_e( $text, $domain = 'default' ) {
	echo esc_html( __( $text, $domain ) );
}

function current_theme_supports( $feature ) {
	return in_array( $feature, (array) get_option( 'theme_supports', array() ), true );
}

function language_attributes() {
	echo 'lang="' . esc_attr( str_replace( '_', '-', get_locale() ) ) . '"';
}

function bloginfo( $show ) {
	echo 'charset' === $show ? 'UTF-8' : esc_html( (string) get_option( 'blogname', '' ) );
}

function body_class( $class = '' ) {
	echo 'class="' . esc_attr( trim( 'wp-theme ' . $class ) ) . '"';
}

function status_header( $code ) {
	$GLOBALS['harness']['status'] = (int) $code;
}

function nocache_headers() {
	$GLOBALS['harness']['nocache'] = true;
}

/**
 * wp_robots_no_robots: the directives for a page search engines must not index.
 */
function wp_robots_no_robots( array $robots ) {
	$robots['noindex'] = true;
	$robots['nofollow'] = true;
	return $robots;
}

/**
 * wp_enqueue_script with WordPress's 6.3 signature ($args: in_footer, strategy).
 */
function wp_enqueue_script( $handle, $src = '', $deps = array(), $ver = false, $args = array() ) {
	$args = is_array( $args ) ? $args : array( 'in_footer' => (bool) $args );
	$GLOBALS['harness']['scripts'][ $handle ] = array(
		'src'       => $src,
		'ver'       => $ver,
		'in_footer' => ! empty( $args['in_footer'] ),
		'strategy'  => isset( $args['strategy'] ) ? $args['strategy'] : '',
	);
}

/**
 * Print the queued scripts of the head or the footer, as WP_Scripts does (src?ver=, id, strategy).
 */
function harness_print_scripts( $in_footer ) {
	foreach ( $GLOBALS['harness']['scripts'] as $handle => $script ) {
		if ( $script['in_footer'] !== $in_footer ) {
			continue;
		}
		$src = $script['ver'] ? $script['src'] . ( false === strpos( $script['src'], '?' ) ? '?' : '&' ) . 'ver=' . rawurlencode( $script['ver'] ) : $script['src'];
		$strategy = $script['strategy'] ? ' ' . $script['strategy'] : '';
		echo '<script src="' . esc_url( $src ) . '" id="' . esc_attr( $handle ) . '-js"' . $strategy . '></script>' . "\n";
	}
}

/**
 * wp_head: the robots directives (core's wp_robots at priority 1), the site icon, the theme's
 * title tag, the head's scripts, then whatever else hooked wp_head.
 */
function wp_head() {
	$robots = apply_filters( 'wp_robots', array() );
	if ( $robots ) {
		$directives = array();
		foreach ( $robots as $name => $value ) {
			$directives[] = true === $value ? $name : $name . ':' . $value;
		}
		echo "<meta name='robots' content='" . esc_attr( implode( ', ', $directives ) ) . "' />\n";
	}
	if ( get_option( 'site_icon_url' ) ) { // wp_site_icon, for a site with an icon set.
		echo '<link rel="icon" href="' . esc_attr( get_option( 'site_icon_url' ) ) . '" sizes="32x32" />' . "\n";
	}
	if ( current_theme_supports( 'title-tag' ) ) {
		echo '<title>' . esc_html( apply_filters( 'pre_get_document_title', '' ) ) . "</title>\n";
	}
	harness_print_scripts( false );
	do_action( 'wp_head' );
}

function wp_footer() {
	harness_print_scripts( true );
	do_action( 'wp_footer' );
}

// -------------------------------------------------------------------------------- HTTP
/**
 * wp_remote_get over PHP's own HTTP streams: a real request to the test's live server.
 */
function wp_remote_get( $url, $args = array() ) {
	$headers = array();
	foreach ( isset( $args['headers'] ) ? $args['headers'] : array() as $name => $value ) {
		$headers[] = $name . ': ' . $value;
	}
	$GLOBALS['harness']['http'][] = array(
		'url'     => $url,
		'headers' => isset( $args['headers'] ) ? $args['headers'] : array(),
	);
	$context = stream_context_create(
		array(
			'http' => array(
				'method'          => 'GET',
				'header'          => implode( "\r\n", $headers ),
				'timeout'         => isset( $args['timeout'] ) ? (float) $args['timeout'] : 5.0,
				'follow_location' => empty( $args['redirection'] ) ? 0 : 1,
				'ignore_errors'   => true,
			),
		)
	);
	$body = @file_get_contents( $url, false, $context ); // phpcs:ignore -- the failure is the answer.
	if ( false === $body || empty( $http_response_header ) ) {
		$error = error_get_last();
		return new WP_Error( 'http_request_failed', $error ? $error['message'] : 'request failed' );
	}
	preg_match( '#^HTTP/\S+\s+(\d{3})#', $http_response_header[0], $status );
	return array(
		'response' => array( 'code' => (int) $status[1] ),
		'body'     => $body,
	);
}

/**
 * wp_remote_post likewise: a real POST of the body to the test's live server.
 */
function wp_remote_post( $url, $args = array() ) {
	$headers = array();
	foreach ( isset( $args['headers'] ) ? $args['headers'] : array() as $name => $value ) {
		$headers[] = $name . ': ' . $value;
	}
	$body = isset( $args['body'] ) ? (string) $args['body'] : '';
	$GLOBALS['harness']['http'][] = array(
		'url'     => $url,
		'headers' => isset( $args['headers'] ) ? $args['headers'] : array(),
		'body'    => $body,
	);
	$context = stream_context_create(
		array(
			'http' => array(
				'method'          => 'POST',
				'header'          => implode( "\r\n", $headers ),
				'content'         => $body,
				'timeout'         => isset( $args['timeout'] ) ? (float) $args['timeout'] : 5.0,
				'follow_location' => empty( $args['redirection'] ) ? 0 : 1,
				'ignore_errors'   => true,
			),
		)
	);
	$answer = @file_get_contents( $url, false, $context ); // phpcs:ignore -- the failure is the answer.
	if ( false === $answer || empty( $http_response_header ) ) {
		$error = error_get_last();
		return new WP_Error( 'http_request_failed', $error ? $error['message'] : 'request failed' );
	}
	preg_match( '#^HTTP/\S+\s+(\d{3})#', $http_response_header[0], $status );
	return array(
		'response' => array( 'code' => (int) $status[1] ),
		'body'     => $answer,
	);
}

function is_order_received_page() {
	return 'order-received' === $GLOBALS['harness']['page'];
}

function is_view_order_page() {
	return 'view-order' === $GLOBALS['harness']['page'];
}

function wp_remote_retrieve_response_code( $response ) {
	return is_array( $response ) ? $response['response']['code'] : '';
}

function wp_remote_retrieve_body( $response ) {
	return is_array( $response ) ? $response['body'] : '';
}

// ------------------------------------------------------------------------- WooCommerce
class WooCommerce {
	public $cart;
}

function WC() { // phpcs:ignore -- WooCommerce's own name.
	static $wc = null;
	if ( null === $wc ) {
		$wc       = new WooCommerce();
		$wc->cart = new WC_Cart();
	}
	return $wc;
}

function get_woocommerce_currency() {
	return apply_filters( 'woocommerce_currency', get_option( 'woocommerce_currency' ) );
}

function wc_get_price_decimals() {
	return 2;
}

function wc_format_decimal( $number ) {
	// WooCommerce: a string with '.' as the decimal point, trailing zeros kept.
	if ( is_float( $number ) ) {
		$number = rtrim( rtrim( sprintf( '%.10F', $number ), '0' ), '.' );
	}
	return preg_replace( '/[^0-9\.\-]/', '', (string) $number );
}

function wc_price( $price, $args = array() ) {
	$symbols  = array(
		'EUR' => '&euro;',
		'USD' => '&#36;',
		'GBP' => '&pound;',
	);
	$currency = isset( $args['currency'] ) && $args['currency'] ? $args['currency'] : get_woocommerce_currency();
	$symbol   = isset( $symbols[ $currency ] ) ? $symbols[ $currency ] : $currency;
	$amount   = number_format( (float) $price, wc_get_price_decimals(), '.', ',' );
	return '<span class="woocommerce-Price-amount amount"><bdi><span class="woocommerce-Price-currencySymbol">' . $symbol . '</span>' . $amount . '</bdi></span>';
}

function wc_add_notice( $message, $type = 'success' ) {
	$GLOBALS['harness']['notices'][] = array(
		'type'    => $type,
		'message' => $message,
	);
}

class WC_Product {
	private $data;

	public function __construct( $data ) {
		$this->data = $data;
	}

	public function get_id() {
		return (int) $this->data['id'];
	}

	public function get_name() {
		return (string) $this->data['name'];
	}

	public function get_price( $context = 'view' ) {
		return 'view' === $context ? apply_filters( 'woocommerce_product_get_price', $this->data['price'], $this ) : $this->data['price'];
	}

	public function set_price( $price ) {
		$this->data['price'] = wc_format_decimal( $price );
	}
}

/**
 * As WooCommerce loads a product: a new object each time, with the store's current data.
 */
function wc_get_product( $id ) {
	$products = $GLOBALS['harness']['products'];
	return isset( $products[ (string) $id ] ) ? new WC_Product( $products[ (string) $id ] + array( 'id' => $id ) ) : false;
}

class WC_Cart {
	public $cart_contents = array();

	public function get_cart() {
		return $this->cart_contents;
	}

	public function is_empty() {
		return 0 === count( $this->cart_contents );
	}

	public function generate_cart_id( $product_id, $variation_id = 0, $variation = array(), $cart_item_data = array() ) {
		$parts = array( $product_id );
		if ( $variation_id && 0 !== $variation_id ) {
			$parts[] = $variation_id;
		}
		if ( $cart_item_data ) {
			$parts[] = serialize( $cart_item_data ); // phpcs:ignore -- as WooCommerce does.
		}
		return md5( implode( '_', $parts ) );
	}

	/**
	 * WC_Cart::add_to_cart: the cart item data filter, a line keyed by its data, and an
	 * Exception thrown by a filter refuses the add with its message as a notice.
	 */
	public function add_to_cart( $product_id = 0, $quantity = 1, $variation_id = 0, $variation = array(), $cart_item_data = array() ) {
		try {
			$product_id   = absint( $product_id );
			$variation_id = absint( $variation_id );
			if ( ! wc_get_product( $variation_id ? $variation_id : $product_id ) ) {
				return false;
			}
			$cart_item_data = (array) apply_filters( 'woocommerce_add_cart_item_data', $cart_item_data, $product_id, $variation_id, $quantity );
			return $this->add_line( $product_id, $quantity, $variation_id, $variation, $cart_item_data );
		} catch ( Exception $e ) {
			if ( $e->getMessage() ) {
				wc_add_notice( $e->getMessage(), 'error' );
			}
			return false;
		}
	}

	/**
	 * The line itself, its item data already filtered: what both WC_Cart::add_to_cart and the
	 * Store API's CartController::add_to_cart end with.
	 */
	public function add_line( $product_id, $quantity, $variation_id, $variation, $cart_item_data ) {
		$product = wc_get_product( $variation_id ? $variation_id : $product_id );
		$key     = $this->generate_cart_id( $product_id, $variation_id, $variation, $cart_item_data );
		if ( isset( $this->cart_contents[ $key ] ) ) {
			$this->cart_contents[ $key ]['quantity'] += $quantity;
		} else {
			$this->cart_contents[ $key ] = apply_filters(
				'woocommerce_add_cart_item',
				array_merge(
					$cart_item_data,
					array(
						'key'          => $key,
						'product_id'   => $product_id,
						'variation_id' => $variation_id,
						'variation'    => $variation,
						'quantity'     => $quantity,
						'data'         => $product,
					)
				),
				$key
			);
		}
		do_action( 'woocommerce_add_to_cart', $key, $product_id, $quantity, $variation_id, $variation, $cart_item_data );
		return $key;
	}

	public function remove_cart_item( $key ) {
		if ( ! isset( $this->cart_contents[ $key ] ) ) {
			return false;
		}
		do_action( 'woocommerce_remove_cart_item', $key, $this );
		unset( $this->cart_contents[ $key ] );
		do_action( 'woocommerce_cart_item_removed', $key, $this );
		return true;
	}

	/**
	 * WC_Cart::calculate_totals: the before hook, then every line at its object's price.
	 */
	public function calculate_totals() {
		if ( $this->is_empty() ) {
			return;
		}
		do_action( 'woocommerce_before_calculate_totals', $this );
		foreach ( $this->cart_contents as $key => $item ) {
			$total = round( (float) $item['data']->get_price() * $item['quantity'], wc_get_price_decimals() );
			$this->cart_contents[ $key ]['line_subtotal'] = $total;
			$this->cart_contents[ $key ]['line_total']    = $total;
		}
		do_action( 'woocommerce_after_calculate_totals', $this );
	}

	/**
	 * What WC_Cart_Session::get_cart_for_session stores: everything but the product object.
	 */
	public function for_session() {
		$stored = array();
		foreach ( $this->cart_contents as $key => $item ) {
			unset( $item['data'] );
			$stored[ $key ] = $item;
		}
		return $stored;
	}

	/**
	 * WC_Cart_Session::get_cart_from_session: each line with a fresh product object, through
	 * woocommerce_get_cart_item_from_session, then woocommerce_cart_loaded_from_session (no
	 * totals: WooCommerce shows the totals it kept in the session).
	 */
	public function from_session( $stored ) {
		$this->cart_contents = array();
		foreach ( $stored as $key => $values ) {
			$product = wc_get_product( $values['variation_id'] ? $values['variation_id'] : $values['product_id'] );
			if ( ! $product ) {
				continue;
			}
			$this->cart_contents[ $key ] = apply_filters( 'woocommerce_get_cart_item_from_session', array_merge( $values, array( 'data' => $product ) ), $values, $key );
		}
		do_action( 'woocommerce_cart_loaded_from_session', $this );
	}
}

class WC_Order {
	private $id;
	private $key;

	public function __construct( $id, $key ) {
		$this->id  = $id;
		$this->key = $key;
	}

	public function get_id() {
		return $this->id;
	}

	public function get_order_key() {
		return $this->key;
	}
}

class WC_Order_Item_Product {
	private $meta = array();

	public function add_meta_data( $key, $value, $unique = false ) {
		if ( $unique ) {
			$this->meta = array_values(
				array_filter(
					$this->meta,
					static function ( $m ) use ( $key ) {
						return $m['key'] !== $key;
					}
				)
			);
		}
		$this->meta[] = array(
			'key'   => $key,
			'value' => $value,
		);
	}

	public function get_meta( $key, $single = true ) {
		foreach ( $this->meta as $m ) {
			if ( $m['key'] === $key ) {
				return $m['value'];
			}
		}
		return '';
	}

	public function get_meta_data() {
		return $this->meta;
	}
}
